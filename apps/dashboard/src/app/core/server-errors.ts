import { DestroyRef, inject, Injectable } from '@angular/core';
import { parseSubscribeLogRefusal } from '@zen/contract';
import { LiveConnection } from './live-connection';
import { Notices } from './notices';
import { SessionsFeed } from './sessions-feed';

/**
 * Shows the server's `error` events to the user ("The server says: …"), except the
 * ones a feed explains as expected (an older server declining the delta mode), and a
 * follow refused as `not found`: the page says an unknown session in place of its log, from
 * the sessions list (and after a restart follows the server's new session), so the refusal,
 * which a reconnect to a restarted server sends for the session shown before, said it twice.
 */
@Injectable({ providedIn: 'root' })
export class ServerErrors {
  private readonly notices = inject(Notices);
  private readonly sessions = inject(SessionsFeed);

  constructor() {
    const subscription = inject(LiveConnection).serverErrors.subscribe((text) => {
      if (this.sessions.explains(text) || parseSubscribeLogRefusal(text)?.reason === 'not found') return;
      this.notices.problem(`The server says: ${text}`);
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
