import { Signal, signal, WritableSignal } from '@angular/core';
import { DroppedAt, LiveClient, LogFollow } from '@zen/client';
import { DEFAULT_LOG_CAPACITY, LogEntry } from '@zen/contract';
import { GapLine, gapLine, logLine, LogRow } from './log-line';
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
  /** Paused, what arrived that the rows had no room for (see `hold`): at most MAX_ROWS, oldest first. */
  held: LogRow[];
  /** Entries (and gaps' entries) dropped from the front of `held` to keep it within MAX_ROWS. */
  heldDropped: number;
}

/** How far `held` may grow past MAX_ROWS before its oldest go: they go a batch at a time, not a copy per frame. */
const HELD_SLACK = MAX_ROWS / 10;

/**
 * The log of one or more sessions as a viewer shows it: follows each with the live client
 * from a cursor (each entry arrives once, and a reconnect resumes where it stopped), adds
 * what arrives once per animation frame (however fast it comes), and turns `dropped` into
 * gap rows. One session's rows are in `seq` order; several sessions' rows are merged by time.
 * It keeps the newest MAX_ROWS rows per session, except while paused (`hold`).
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
  /** Paused to read (see `hold`): no row leaves the rows, and what does not fit waits in each source's `held`. */
  private holding = false;

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
        held: [],
        heldDropped: 0,
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
        onRewound: (logCursor, seen) => this.rewind(id, state, logCursor, seen),
      });
  }

  /**
   * Told when a session's log went back (its server came back on a store in an older state):
   * `from` entries had been seen, the store holds `to`. Its rows from `to` on are gone by then.
   */
  onRewound: ((id: string, from: number, to: number) => void) | null = null;

  /**
   * Paused (`true`), the line being read stays: no row is evicted from the rows, which take new
   * ones only while there is room (a full log takes none), and each source keeps the rest in
   * arrival order, at most MAX_ROWS of it: past that its oldest go, and a gap row says how many.
   * Resumed (`false`), what waited comes in with the next frame, the oldest rows making way as
   * usual. A flood then leaves the reader's line where it is, and the client holds at most twice
   * the rows it shows. The follows go on meanwhile (`received` counts what arrives).
   */
  hold(on: boolean): void {
    if (on === this.holding) return;
    this.holding = on;
    if (on) return;
    const waited: LogRow[] = [];
    for (const [id, state] of this.states) {
      if (state.heldDropped > 0) waited.push(droppedWhileHeld(id, state));
      for (const row of state.held) waited.push(row);
      state.held = [];
      state.heldDropped = 0;
    }
    // Held rows came before anything pending (which arrived after the last frame held them).
    this.pending = waited.concat(this.pending);
    this.scheduleFlush();
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

  /**
   * The log of `id` went back to `logCursor` entries: its rows from that seq on (and the gaps
   * after it) are what the store lost, and the seqs its next entries take, so they go, from the
   * rows, what waits and what is held; the follow goes on from `logCursor` (the live client's).
   */
  private rewind(id: string, state: SourceState, logCursor: number, seen: number): void {
    const lost = (row: LogRow) =>
      row.source === id && (row.kind === 'entry' ? row.entry.seq >= logCursor : row.before > logCursor);
    const rows = this.rowsSignal();
    const kept = rows.filter((row) => !lost(row));
    this.pending = this.pending.filter((row) => !lost(row));
    state.held = state.held.filter((row) => !lost(row));
    this.pendingCursors.set(id, logCursor);
    state.cursor = logCursor;
    // No delta: rows left from the middle, so whoever derives from the rows starts over.
    if (kept.length !== rows.length) this.rowsSignal.set(kept);
    this.cursorsSignal.set(this.readTo());
    this.onRewound?.(id, seen, logCursor);
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
    const arrived = this.pending;
    this.pending = [];
    const incoming = this.holding ? this.admit(arrived) : arrived;
    const anyHeld = this.holding && Array.from(this.states.values()).some((state) => state.held.length > 0);
    if (incoming.length > 0) this.addRows(incoming);
    // The cursors say how far the rows shown reach: rows held keep them where they are.
    if (this.pendingCursors.size > 0 && !anyHeld) {
      for (const [id, cursor] of this.pendingCursors) {
        const state = this.states.get(id);
        if (state) state.cursor = cursor;
      }
      this.pendingCursors.clear();
      this.cursorsSignal.set(this.readTo());
    }
  }

  /**
   * Paused: the rows of `arrived` the rows have room for, in arrival order; the rest (and every
   * later row of a source with rows held already, to keep its order) wait in their source's `held`.
   */
  private admit(arrived: LogRow[]): LogRow[] {
    let room = MAX_ROWS * this.states.size - this.rowsSignal().length;
    const admitted: LogRow[] = [];
    for (const row of arrived) {
      const state = this.states.get(row.source);
      if (!state) continue;
      if (room > 0 && state.held.length === 0) {
        admitted.push(row);
        room--;
      } else {
        state.held.push(row);
      }
    }
    for (const state of this.states.values()) {
      if (state.held.length <= MAX_ROWS + HELD_SLACK) continue;
      const gone = state.held.splice(0, state.held.length - MAX_ROWS);
      for (const row of gone) state.heldDropped += row.kind === 'gap' ? row.dropped : 1;
    }
    return admitted;
  }

  private addRows(incoming: LogRow[]): void {
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
 * The gap row for the entries a source dropped from its held rows while paused, before the first
 * one it kept (a gap there, from the server, becomes one gap of both).
 */
function droppedWhileHeld(id: string, state: SourceState): GapLine {
  const first = state.held[0];
  if (first.kind === 'gap') {
    state.held.shift();
    return gapLine(id, state.heldDropped + first.dropped, first.before, first.timeMs);
  }
  return gapLine(id, state.heldDropped, first.entry.seq, first.timeMs);
}

/**
 * Adds `incoming` to rows already in time order; the usual case (all newer) is an append.
 * `kept`: how many of the first rows stay where they were.
 */
function mergeByTime(rows: readonly LogRow[], incoming: LogRow[]): { rows: LogRow[]; kept: number } {
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
