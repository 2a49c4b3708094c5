import { signal } from '@angular/core';
import { LogEventData } from '@zen/contract';
import { Subscription } from 'rxjs';
import { LogFeed } from '../core/log-feed';
import { gapLine, logLine, LogRow } from './log-line';

/** Rows kept per followed session: the server's default capacity. */
export const MAX_ROWS = 10_000;

/** A session to follow, from the cursor of its oldest held entry. */
export interface LogSource {
  id: string;
  startCursor: number;
}

interface SourceState {
  cursor: number;
  lastTimeMs: number;
}

/**
 * The log of one or more sessions as a viewer shows it: subscribes to each over the
 * WebSocket from a cursor, adds what arrives once per animation frame (however fast it
 * comes), turns `dropped` into gap rows, and keeps each cursor so that a reconnect
 * resumes exactly where it stopped. One session's rows are in `seq` order; several
 * sessions' rows are merged by time.
 */
export class LogSources {
  private readonly rowsSignal = signal<readonly LogRow[]>([]);
  private readonly receivedSignal = signal(0);
  private readonly categoriesSignal = signal<readonly string[]>([]);
  private readonly states = new Map<string, SourceState>();
  private pending: LogRow[] = [];
  private frame: number | null = null;
  private subscription: Subscription | null = null;

  readonly rows = this.rowsSignal.asReadonly();
  /** Entries received since start (for "N new entries" while paused). */
  readonly received = this.receivedSignal.asReadonly();
  /** Unreal categories seen so far, sorted. */
  readonly categories = this.categoriesSignal.asReadonly();
  readonly ids: readonly string[];

  constructor(
    private readonly feed: LogFeed,
    sources: readonly LogSource[],
    private readonly schedule: (flush: () => void) => number = (flush) => requestAnimationFrame(flush),
    private readonly cancel: (handle: number) => void = (handle) => cancelAnimationFrame(handle),
  ) {
    for (const source of sources) this.states.set(source.id, { cursor: source.startCursor, lastTimeMs: 0 });
    this.ids = sources.map((source) => source.id);
  }

  get merged(): boolean {
    return this.states.size > 1;
  }

  start(): void {
    this.subscription = this.feed.events.subscribe((event) => this.receive(event));
    for (const [id, state] of this.states) this.feed.follow(id, () => state.cursor);
  }

  stop(): void {
    this.subscription?.unsubscribe();
    for (const id of this.states.keys()) this.feed.unfollow(id);
    if (this.frame !== null) this.cancel(this.frame);
    this.frame = null;
  }

  receive(event: LogEventData): void {
    const state = this.states.get(event.id);
    if (!state) return;
    const first = event.entries[0];
    if (event.dropped > 0) {
      const timeMs = first ? Date.parse(first.time) : state.lastTimeMs;
      this.pending.push(gapLine(event.id, event.dropped, first?.seq ?? event.cursor, timeMs));
    }
    let added = 0;
    for (const entry of event.entries) {
      // A replayed entry (e.g. an event that crossed a resubscription) is shown once.
      if (entry.seq < state.cursor) continue;
      const line = logLine(event.id, entry);
      this.pending.push(line);
      state.cursor = entry.seq + 1;
      state.lastTimeMs = line.timeMs;
      added++;
    }
    state.cursor = Math.max(state.cursor, event.cursor);
    if (added) this.receivedSignal.update((count) => count + added);
    if (this.frame === null && this.pending.length > 0) this.frame = this.schedule(() => this.flush());
  }

  private flush(): void {
    this.frame = null;
    const incoming = this.pending;
    this.pending = [];
    this.noteCategories(incoming);
    const limit = MAX_ROWS * this.states.size;
    this.rowsSignal.update((rows) => {
      const next = this.merged ? mergeByTime(rows, incoming) : rows.concat(incoming);
      return next.length > limit ? next.slice(next.length - limit) : next;
    });
  }

  private noteCategories(rows: readonly LogRow[]): void {
    const known = this.categoriesSignal();
    let added: Set<string> | null = null;
    for (const row of rows) {
      if (row.kind !== 'entry' || row.category === null || known.includes(row.category) || added?.has(row.category))
        continue;
      (added ??= new Set()).add(row.category);
    }
    if (added) this.categoriesSignal.set([...known, ...added].sort());
  }
}

/** Adds `incoming` to rows already in time order; the usual case (all newer) is an append. */
export function mergeByTime(rows: readonly LogRow[], incoming: LogRow[]): LogRow[] {
  const sorted = incoming.slice().sort((a, b) => a.timeMs - b.timeMs);
  if (rows.length === 0 || sorted[0].timeMs >= rows[rows.length - 1].timeMs) return rows.concat(sorted);
  // Only the tail from the first row newer than the oldest incoming one is re-merged.
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (rows[mid].timeMs <= sorted[0].timeMs) low = mid + 1;
    else high = mid;
  }
  const merged = rows.slice(0, low);
  let i = low;
  let j = 0;
  while (i < rows.length && j < sorted.length)
    merged.push(rows[i].timeMs <= sorted[j].timeMs ? rows[i++] : sorted[j++]);
  while (i < rows.length) merged.push(rows[i++]);
  while (j < sorted.length) merged.push(sorted[j++]);
  return merged;
}
