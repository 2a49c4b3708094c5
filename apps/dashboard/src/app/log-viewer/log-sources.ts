import { Signal, signal, WritableSignal } from '@angular/core';
import { DroppedAt, LiveClient, LogFollow } from '@zen/client';
import { DEFAULT_LOG_CAPACITY, LogEntry } from '@zen/contract';
import { gapLine, logLine, LogRow } from './log-line';
import { MaskColumns } from './log-rows';
import { noteDelta } from './row-deltas';

/**
 * Rows kept per followed session: the server's default capacity (`LOG_CAPACITY`). The API
 * does not say a server's own capacity, so one configured higher shows only this many.
 */
export const MAX_ROWS = DEFAULT_LOG_CAPACITY;

/** A session to follow, from the cursor of its oldest held entry. */
export interface LogSource {
  id: string;
  startCursor: number;
}

/** What follows session logs: the live client (which resumes each from its cursor after a reconnect). */
export type LogFollower = Pick<LiveClient, 'followLog'>;

interface SourceState {
  startCursor: number;
  /** Where its follow has read to, as far as the rows show (updated at each flush). */
  cursor: number;
  lastTimeMs: number;
  follow: LogFollow | null;
}

/**
 * The log of one or more sessions as a viewer shows it: follows each with the live client
 * from a cursor (each entry arrives once, and a reconnect resumes where it stopped), adds
 * what arrives once per animation frame (however fast it comes), and turns `dropped` into
 * gap rows. One session's rows are in `seq` order; several sessions' rows are merged by time.
 */
export class LogSources {
  private readonly rowsSignal = signal<readonly LogRow[]>([]);
  private readonly receivedSignal = signal(0);
  private readonly categoriesSignal = signal<readonly string[]>([]);
  private readonly cursorsSignal: WritableSignal<ReadonlyMap<string, number>>;
  private readonly states = new Map<string, SourceState>();
  private pending: LogRow[] = [];
  /** Where each follow has read to with what is in `pending`. */
  private readonly pendingCursors = new Map<string, number>();
  /** The text filter's mask column of each frame's rows, ready before a filter is typed. */
  private readonly masks = new MaskColumns();
  private frame: number | null = null;

  readonly rows = this.rowsSignal.asReadonly();
  /** Entries received since start (for "N new entries" while paused). */
  readonly received = this.receivedSignal.asReadonly();
  /** Unreal categories seen so far, sorted. */
  readonly categories = this.categoriesSignal.asReadonly();
  /**
   * Where each session's follow has read to (its cursor: past its entries and the gaps it was
   * told of), as of the rows shown: a cursor moves with the frame that adds what it read.
   */
  readonly cursors: Signal<ReadonlyMap<string, number>>;
  readonly ids: readonly string[];

  constructor(
    private readonly live: LogFollower,
    sources: readonly LogSource[],
    private readonly schedule: (flush: () => void) => number = (flush) => requestAnimationFrame(flush),
    private readonly cancel: (handle: number) => void = (handle) => cancelAnimationFrame(handle),
  ) {
    for (const source of sources)
      this.states.set(source.id, {
        startCursor: source.startCursor,
        cursor: source.startCursor,
        lastTimeMs: 0,
        follow: null,
      });
    this.ids = sources.map((source) => source.id);
    this.cursorsSignal = signal(this.readTo());
    this.cursors = this.cursorsSignal.asReadonly();
  }

  get merged(): boolean {
    return this.states.size > 1;
  }

  start(): void {
    for (const [id, state] of this.states)
      state.follow = this.live.followLog(id, state.startCursor, {
        onEntries: (entries, cursor) => this.receive(id, state, entries, cursor),
        onDropped: (count, at) => this.receiveGap(id, state, count, at),
      });
  }

  stop(): void {
    for (const state of this.states.values()) state.follow?.stop();
    if (this.frame !== null) this.cancel(this.frame);
    this.frame = null;
  }

  private receive(id: string, state: SourceState, entries: LogEntry[], cursor: number): void {
    this.pendingCursors.set(id, cursor);
    for (const entry of entries) {
      const line = logLine(id, entry);
      this.pending.push(line);
      state.lastTimeMs = line.timeMs;
    }
    this.receivedSignal.update((count) => count + entries.length);
    this.scheduleFlush();
  }

  private receiveGap(id: string, state: SourceState, count: number, at: DroppedAt): void {
    const timeMs = at.time ? Date.parse(at.time) : state.lastTimeMs;
    this.pendingCursors.set(id, Math.max(this.pendingCursors.get(id) ?? state.cursor, at.seq));
    this.pending.push(gapLine(id, count, at.seq, timeMs));
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.frame === null && this.pending.length > 0) this.frame = this.schedule(() => this.flush());
  }

  private flush(): void {
    this.frame = null;
    const incoming = this.pending;
    this.pending = [];
    this.noteCategories(incoming);
    const limit = MAX_ROWS * this.states.size;
    const rows = this.rowsSignal();
    const merged = this.merged ? mergeByTime(rows, incoming) : { rows: rows.concat(incoming), kept: rows.length };
    const excess = Math.max(0, merged.rows.length - limit);
    const next = excess > 0 ? merged.rows.slice(excess) : merged.rows;
    // The oldest rows go first: those the merge kept in place, then (only when more arrived than the limit) new ones.
    const evicted = Math.min(excess, merged.kept);
    const delta = { from: rows, evicted, kept: merged.kept - evicted };
    noteDelta(next, delta);
    this.masks.next(next, delta);
    this.rowsSignal.set(next);
    if (this.pendingCursors.size > 0) {
      for (const [id, cursor] of this.pendingCursors) {
        const state = this.states.get(id);
        if (state) state.cursor = cursor;
      }
      this.pendingCursors.clear();
      this.cursorsSignal.set(this.readTo());
    }
  }

  private readTo(): ReadonlyMap<string, number> {
    return new Map(Array.from(this.states, ([id, state]) => [id, state.cursor]));
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

/**
 * Adds `incoming` to rows already in time order; the usual case (all newer) is an append.
 * `kept`: how many of the first rows stay where they were.
 */
export function mergeByTime(rows: readonly LogRow[], incoming: LogRow[]): { rows: LogRow[]; kept: number } {
  const sorted = incoming.slice().sort((a, b) => a.timeMs - b.timeMs);
  if (rows.length === 0 || sorted[0].timeMs >= rows[rows.length - 1].timeMs)
    return { rows: rows.concat(sorted), kept: rows.length };
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
  return { rows: merged, kept: low };
}
