import { DestroyRef, inject, Injectable } from '@angular/core';
import { LogEventData, WS_EVENTS } from '@zen/contract';
import { filter, map, Observable } from 'rxjs';
import { LiveTransport } from './live-transport';

/**
 * The log streams of followed sessions over the shared transport. After every
 * (re)connect each followed log is subscribed again from the cursor its reader
 * reached, so nothing is missed or repeated.
 */
@Injectable({ providedIn: 'root' })
export class LogFeed {
  private readonly transport = inject(LiveTransport);
  /** Followed session → the cursor to resume from. */
  private readonly follows = new Map<string, () => number>();

  /** `log` events of every followed session. */
  readonly events: Observable<LogEventData> = this.transport.messages.pipe(
    filter((message) => message.event === WS_EVENTS.log),
    map((message) => message.data as LogEventData),
  );

  constructor() {
    const opened = this.transport.opened.subscribe(() => {
      for (const [id, cursor] of this.follows) this.subscribe(id, cursor());
    });
    inject(DestroyRef).onDestroy(() => opened.unsubscribe());
  }

  /** Follows a session's log from the cursor `resumeAt()` gives, now and after every reconnect. */
  follow(id: string, resumeAt: () => number): void {
    this.follows.set(id, resumeAt);
    this.subscribe(id, resumeAt());
  }

  unfollow(id: string): void {
    if (!this.follows.delete(id)) return;
    this.transport.send({ event: WS_EVENTS.unsubscribeLog, data: { id } });
  }

  private subscribe(id: string, cursor: number): void {
    this.transport.send({ event: WS_EVENTS.subscribeLog, data: { id, cursor } });
  }
}
