import { signal } from '@angular/core';
import { LogEventData } from '@zen/contract';
import { Subscription } from 'rxjs';
import { LogFeed } from '../core/log-feed';
import { LogRow } from './log-rows';

/** Rows kept per viewer: the server's default capacity plus room for gap rows. */
export const MAX_ROWS = 10_000;

/**
 * One session's log as the viewer shows it: subscribes over the WebSocket from a
 * cursor, appends what arrives once per animation frame (however fast it comes),
 * turns `dropped` into gap rows, and keeps its cursor so that a reconnect resumes
 * exactly where it stopped.
 */
export class LogStream {
  private readonly rowsSignal = signal<readonly LogRow[]>([]);
  private readonly receivedSignal = signal(0);
  private cursor: number;
  private pending: LogRow[] = [];
  private frame: number | null = null;
  private subscription: Subscription | null = null;

  readonly rows = this.rowsSignal.asReadonly();
  /** Entries received since start (for "N new entries" while paused). */
  readonly received = this.receivedSignal.asReadonly();

  constructor(
    private readonly feed: LogFeed,
    readonly sessionId: string,
    startCursor: number,
    private readonly schedule: (flush: () => void) => number = (flush) => requestAnimationFrame(flush),
    private readonly cancel: (handle: number) => void = (handle) => cancelAnimationFrame(handle),
  ) {
    this.cursor = startCursor;
  }

  start(): void {
    this.subscription = this.feed.events.subscribe((event) => {
      if (event.id === this.sessionId) this.receive(event);
    });
    this.feed.follow(this.sessionId, () => this.cursor);
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.feed.unfollow(this.sessionId);
    if (this.frame !== null) this.cancel(this.frame);
  }

  receive(event: LogEventData): void {
    if (event.dropped > 0)
      this.pending.push({ kind: 'gap', dropped: event.dropped, before: event.entries[0]?.seq ?? event.cursor });
    let added = 0;
    for (const entry of event.entries) {
      // A replayed entry (e.g. an event that crossed a resubscription) is shown once.
      if (entry.seq < this.cursor) continue;
      this.pending.push({ kind: 'entry', entry });
      this.cursor = entry.seq + 1;
      added++;
    }
    this.cursor = Math.max(this.cursor, event.cursor);
    this.receivedSignal.update((count) => count + added);
    if (this.frame === null && this.pending.length > 0) {
      this.frame = this.schedule(() => this.flush());
    }
  }

  private flush(): void {
    this.frame = null;
    const incoming = this.pending;
    this.pending = [];
    this.rowsSignal.update((rows) => {
      const next = rows.concat(incoming);
      return next.length > MAX_ROWS ? next.slice(next.length - MAX_ROWS) : next;
    });
  }
}
