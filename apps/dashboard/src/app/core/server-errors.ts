import { DestroyRef, inject, Injectable } from '@angular/core';
import { LiveConnection } from './live-connection';
import { Notices } from './notices';
import { SessionsFeed } from './sessions-feed';

/**
 * Shows the server's `error` events to the user ("The server says: …"), except the
 * ones a feed explains as expected (an older server declining the delta mode).
 */
@Injectable({ providedIn: 'root' })
export class ServerErrors {
  private readonly notices = inject(Notices);
  private readonly sessions = inject(SessionsFeed);

  constructor() {
    const subscription = inject(LiveConnection).serverErrors.subscribe((text) => {
      if (!this.sessions.explains(text)) this.notices.problem(`The server says: ${text}`);
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
