import { DestroyRef, effect, inject, Injectable } from '@angular/core';
import { MatSnackBarRef, TextOnlySnackBar } from '@angular/material/snack-bar';
import { isStoreOutage, parseSubscribeLogRefusal } from '@zen/contract';
import { LiveConnection } from './live-connection';
import { Notices } from './notices';
import { SessionsFeed } from './sessions-feed';

/**
 * Shows the server's `error` events to the user ("The server says: …"), except the
 * ones a feed explains as expected (an older server declining the delta mode), and a
 * follow refused as `not found`: the page says an unknown session in place of its log, from
 * the sessions list (and after a restart follows the server's new session), so the refusal,
 * which a reconnect to a restarted server sends for the session shown before, said it twice.
 * The word of a store outage goes once the store answers again (the connection indicator says
 * it meanwhile): it would say live updates wait while they go on, over the log's controls.
 */
@Injectable({ providedIn: 'root' })
export class ServerErrors {
  private readonly notices = inject(Notices);
  private readonly sessions = inject(SessionsFeed);

  /** The snack bar that told of the current store outage (dismissing it once it went is a no-op). */
  private outageNotice: MatSnackBarRef<TextOnlySnackBar> | null = null;

  constructor() {
    const connection = inject(LiveConnection);
    const subscription = connection.serverErrors.subscribe((text) => {
      if (this.sessions.explains(text) || parseSubscribeLogRefusal(text)?.reason === 'not found') return;
      const notice = this.notices.problem(`The server says: ${text}`);
      if (isStoreOutage(text)) this.outageNotice = notice;
    });
    effect(() => {
      if (connection.storeOutage() !== null) return;
      this.outageNotice?.dismiss();
      this.outageNotice = null;
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
