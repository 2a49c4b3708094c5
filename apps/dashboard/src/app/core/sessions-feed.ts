import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import { SessionList, WS_EVENTS } from '@zen/contract';
import { LiveConnection } from './live-connection';

/**
 * The live session listing, as a signal. The live client asks for the delta mode on every
 * connect and applies the `sessions-delta` events to the baseline. A server that does not
 * know the mode keeps sending periodic full lists, which replace the listing as before, and
 * answers the request with an `error` event that `explains()` claims, so it is not shown
 * to the user.
 */
@Injectable({ providedIn: 'root' })
export class SessionsFeed {
  private readonly listSignal = signal<SessionList | null>(null);
  /** The latest listing: the baseline with every delta since applied. */
  readonly list = this.listSignal.asReadonly();

  constructor() {
    const connection = inject(LiveConnection);
    const stop = connection.client.followSessions((list) => {
      this.listSignal.set(list);
      // After an outage the server sends a listing once its store answers.
      connection.storeAnswered();
    }, 'delta');
    inject(DestroyRef).onDestroy(stop);
  }

  /** True for the error a server without the delta mode answers `subscribe-sessions` with. */
  explains(errorMessage: string): boolean {
    return errorMessage.includes(WS_EVENTS.subscribeSessions);
  }
}
