import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import { SessionList, SessionsDeltaData, WS_EVENTS } from '@zen/contract';
import { LiveTransport } from './live-transport';
import { applySessionsDelta } from './sessions-delta';

/**
 * The live session listing. On every connect it asks for the delta mode
 * (`subscribe-sessions`): the server answers with a full `sessions` baseline and then
 * `sessions-delta` events, applied here in order. A server that does not know the
 * mode keeps sending periodic full lists, which replace the listing as before, and
 * answers the request with an `error` event that `explains()` claims, so it is not
 * shown to the user.
 */
@Injectable({ providedIn: 'root' })
export class SessionsFeed {
  private readonly transport = inject(LiveTransport);
  private readonly listSignal = signal<SessionList | null>(null);
  /** The latest listing: the baseline with every delta since applied. */
  readonly list = this.listSignal.asReadonly();

  constructor() {
    const opened = this.transport.opened.subscribe(() =>
      this.transport.send({ event: WS_EVENTS.subscribeSessions, data: { mode: 'delta' } }),
    );
    const messages = this.transport.messages.subscribe((message) => {
      if (message.event === WS_EVENTS.sessions) this.listSignal.set(message.data);
      else if (message.event === WS_EVENTS.sessionsDelta) this.apply(message.data);
    });
    inject(DestroyRef).onDestroy(() => {
      opened.unsubscribe();
      messages.unsubscribe();
    });
  }

  /** True for the error a server without the delta mode answers `subscribe-sessions` with. */
  explains(errorMessage: string): boolean {
    return errorMessage.includes(WS_EVENTS.subscribeSessions);
  }

  private apply(delta: SessionsDeltaData): void {
    const list = this.listSignal();
    // A delta before any baseline has nothing to apply to; the baseline follows.
    if (list) this.listSignal.set(applySessionsDelta(list, delta));
  }
}
