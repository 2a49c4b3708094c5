import { EntryBatch, ERROR, LEVEL_CODE, WARN } from '../entry-batch';
import { MessageArena, MessageRefs } from './message-arena';
import { CursorRead, CursorSlice, LogCounters, LogFilter, PageRead, PageSlice, StoredEntry } from '../log-store';
import { LogFormat } from '@zen/contract';
import { EncodedSlice } from '../encoded-reads';
import { EntryEncoder } from './entry-encoder';
import { TextSearch } from './text-search';
import { LEVEL_MASK } from './slot-kinds';
import { BlockSlabs } from './block-slabs';

/** Slots a new log starts with; it doubles up to its capacity as entries arrive. */
const INITIAL_SLOTS = 16;

/** Which held entries a read's filter keeps. */
interface Matcher {
  /** Whether the entry in `slot` passes. */
  passes(slot: number): boolean;
  /** The first `seq` in [seq, end) whose entry may pass (`end` if none): the ones before it do not. */
  candidateFrom(seq: number, end: number): number;
}
/** Called for each entry a read returns, in order; `index` counts from 0. */
type Take = (seq: number, slot: number, index: number) => void;

/**
 * One session's capped log, stored as columns in a ring: times, levels and where each
 * message's bytes are in typed arrays, the messages' UTF-8 bytes in a MessageArena,
 * `seq` implied by position. That costs the message's bytes plus 19 bytes per entry,
 * off the JavaScript heap, where an object per entry costs ~100 more.
 *
 * Entry `seq` lives in slot `seq % allocated`: the columns are a ring, which grows (moving
 * each held entry to its slot in the larger ring) until it reaches the capacity. Entries
 * leave from the front when the capacity is passed, or when the store's memory budget
 * evicts a log's oldest block (evictOldestBlock).
 */
export class SessionLog {
  private allocated: number;
  private readonly arena: MessageArena;
  private refs: MessageRefs;
  private times: Float64Array;
  /** Level code per slot, and what reads learned of its message (slot-kinds.ts). */
  private levels: Uint8Array;
  /** Serialised `data` per slot; allocated only once some entry has data. */
  private data: (string | undefined)[] | null = null;
  /** `seq` of the oldest held entry. */
  private first = 0;
  /** `seq` the next entry gets: the number of entries ever appended. */
  private next = 0;
  /** UTF-16 units of the `data` held (its JSON text), for the memory accounting. */
  private dataUnits = 0;
  private warns = 0;
  private errors = 0;
  /** Entries evicted so far, by level code. */
  readonly evicted = [0, 0, 0, 0];

  /** `slabs`: the store's full-size message blocks, taken and given back by this log's arena. */
  constructor(
    readonly capacity: number,
    slabs: BlockSlabs | null = null,
  ) {
    this.arena = new MessageArena(slabs);
    this.allocated = Math.min(capacity, INITIAL_SLOTS);
    ({ refs: this.refs, times: this.times, levels: this.levels } = newColumns(this.allocated));
  }

  counters(): LogCounters {
    return {
      logCount: this.next - this.first,
      logCursor: this.next,
      warnCount: this.warns,
      errorCount: this.errors,
    };
  }

  /** Gives every message block back (the log is being deleted: nothing reads it any more). */
  release(): void {
    this.arena.releaseAll();
  }

  /** Bytes the messages take (blocks allocated), for tests and the memory benchmark. */
  messageBytes(): number {
    return this.arena.bytes();
  }

  /** Bytes this log holds: message blocks, columns and `data` (counted as two bytes a unit). */
  heldBytes(): number {
    return this.arena.bytes() + this.allocated * BYTES_PER_SLOT + this.dataUnits * 2;
  }

  /**
   * Evicts the oldest entries, as capacity eviction does (counted in `evicted`, seen by
   * readers as `dropped`): those of the oldest message block, so that its memory is freed,
   * but never any of the newest `keep`. Answers how many went.
   */
  evictOldestBlock(keep: number): number {
    const until = this.next - keep;
    if (this.first >= until) return 0;
    const from = this.first;
    const block = this.refs.block[from % this.allocated];
    let seq = from;
    for (; seq < until && this.refs.block[seq % this.allocated] === block; seq++) {
      const slot = seq % this.allocated;
      this.evicted[this.levels[slot] & LEVEL_MASK]++;
      this.forgetData(slot);
    }
    this.first = seq;
    if (seq === this.next) this.arena.releaseAll();
    else this.arena.releaseBefore(this.refs.block[seq % this.allocated]);
    return seq - from;
  }

  append(batch: EntryBatch): LogCounters {
    const count = batch.messages.length;
    this.reserve(this.next - this.first + count);
    if (batch.data && !this.data) {
      this.data = new Array<string | undefined>(this.allocated);
    }
    // Entries of the batch that would be evicted by the batch itself are counted, not stored.
    const skipped = Math.max(0, count - this.capacity);
    this.countEvictions(count, batch, skipped);
    for (let i = skipped; i < count; i++) {
      this.write((this.next + i) % this.allocated, batch, i);
    }
    for (let i = 0; i < count; i++) {
      const level = batch.levels[i];
      if (level === WARN) this.warns++;
      else if (level === ERROR) this.errors++;
    }
    this.next += count;
    this.first = Math.max(this.first, this.next - this.capacity);
    this.arena.releaseBefore(this.refs.block[this.first % this.allocated]);
    return this.counters();
  }

  /** Counts, by level, the held entries this append evicts and the batch's own that it never holds. */
  private countEvictions(count: number, batch: EntryBatch, skipped: number): void {
    const firstAfter = Math.max(this.first, this.next + count - this.capacity);
    for (let seq = this.first; seq < Math.min(firstAfter, this.next); seq++) {
      this.evicted[this.levels[seq % this.allocated] & LEVEL_MASK]++;
    }
    for (let i = 0; i < skipped; i++) this.evicted[batch.levels[i]]++;
  }

  readCursor(read: CursorRead): CursorSlice {
    const entries: StoredEntry[] = [];
    const slice = this.selectCursor(read, (seq, slot) => entries.push(this.entry(seq, slot)));
    const result: CursorSlice = { entries, cursor: slice.cursor, dropped: slice.dropped };
    if (slice.total !== undefined) result.total = slice.total;
    return result;
  }

  readPage(read: PageRead): PageSlice {
    const entries: StoredEntry[] = [];
    const slice = this.selectPage(read, (seq, slot) => entries.push(this.entry(seq, slot)));
    return { entries, total: slice.total, cursor: slice.cursor };
  }

  /** readCursor's entries written straight into the response body (see EncodedReads). */
  readCursorEncoded(read: CursorRead, format: LogFormat): EncodedSlice {
    const from = Math.max(read.cursor, this.first);
    const encoder = new EntryEncoder(this.sizeHint(Math.min(this.next - from, read.limit ?? Infinity), read));
    if (format === 'json') encoder.ascii('{"entries":[');
    const slice = this.selectCursor(read, this.writerFor(encoder, format));
    if (format === 'json') encoder.ascii(`],"cursor":${slice.cursor},"dropped":${slice.dropped}}`);
    return { ...slice, body: encoder.body(), release: encoder.releaser() };
  }

  /** readPage's entries written straight into the response body (see EncodedReads). */
  readPageEncoded(read: PageRead, format: LogFormat): EncodedSlice {
    const encoder = new EntryEncoder(this.sizeHint(Math.min(this.next - this.first - read.offset, read.limit), read));
    if (format === 'json') encoder.ascii('{"entries":[');
    const slice = this.selectPage(read, this.writerFor(encoder, format));
    if (format === 'json') {
      encoder.ascii(`],"total":${slice.total},"offset":${read.offset},"limit":${read.limit},"cursor":${slice.cursor}}`);
    }
    return { ...slice, dropped: 0, body: encoder.body(), release: encoder.releaser() };
  }

  private selectCursor(read: CursorRead, take: Take): Omit<EncodedSlice, 'body'> {
    const start = Math.max(read.cursor, this.first);
    const dropped = read.cursor < this.first ? this.first - read.cursor : 0;
    const matches = this.matcher(read);
    const limit = read.limit ?? Infinity;
    let taken = 0;
    let cursor = Math.max(read.cursor, this.next);
    if (limit === 0) {
      cursor = start;
    }
    const end = this.next;
    if (matches === ALL) {
      // Unfiltered (tails, downloads): every entry is taken, with no call to ask which.
      for (let seq = start; seq < end && taken < limit; seq++) take(seq, seq % this.allocated, taken++);
      if (taken === limit && limit > 0) cursor = start + taken;
    } else {
      for (let seq = matches.candidateFrom(start, end); seq < end && taken < limit; ) {
        const slot = seq % this.allocated;
        if (matches.passes(slot)) {
          take(seq, slot, taken++);
          if (taken === limit) cursor = seq + 1;
        }
        seq = matches.candidateFrom(seq + 1, end);
      }
    }
    const slice: Omit<EncodedSlice, 'body'> = { cursor, dropped };
    if (read.withTotal) slice.total = this.countMatching(matches);
    return slice;
  }

  private selectPage(read: PageRead, take: Take): { total: number; cursor: number } {
    const matches = this.matcher(read);
    if (matches === ALL) {
      const from = this.first + read.offset;
      let taken = 0;
      for (let seq = from; seq < this.next && taken < read.limit; seq++) {
        take(seq, seq % this.allocated, taken++);
      }
      return { total: this.next - this.first, cursor: this.next };
    }
    let taken = 0;
    let passed = 0;
    const end = this.next;
    for (let seq = matches.candidateFrom(this.first, end); seq < end; seq = matches.candidateFrom(seq + 1, end)) {
      const slot = seq % this.allocated;
      if (!matches.passes(slot)) continue;
      if (passed >= read.offset && taken < read.limit) {
        take(seq, slot, taken++);
      }
      passed++;
    }
    return { total: passed, cursor: this.next };
  }

  private writerFor(encoder: EntryEncoder, format: LogFormat): Take {
    const { refs, arena, times, levels, data } = this;
    if (format === 'text') {
      return (_seq, slot) => {
        const kind = levels[slot];
        const learned = encoder.text(
          times[slot],
          kind,
          arena.blockOf(refs, slot),
          refs.offset[slot],
          refs.length[slot],
        );
        if (learned !== kind) levels[slot] = learned;
      };
    }
    const separator = format === 'json' ? ',' : '';
    const after = format === 'ndjson' ? '\n' : '';
    return (seq, slot, index) => {
      if (index > 0 && separator) encoder.ascii(separator);
      const kind = levels[slot];
      const learned = encoder.json(
        seq,
        times[slot],
        kind,
        arena.blockOf(refs, slot),
        refs.offset[slot],
        refs.length[slot],
        data ? data[slot] : undefined,
      );
      if (learned !== kind) levels[slot] = learned;
      if (after) encoder.ascii(after);
    };
  }

  /**
   * A starting size for the body of a read that returns at most `count` entries: most reads
   * fit without growing. A filtered read usually returns far fewer, and grows if not. (A
   * tail read of the 100 newest once started at 1 MiB, the bound for the whole log: a fresh
   * megabyte per read, and V8 counting it towards its next garbage collection.)
   */
  private sizeHint(count: number, filter: LogFilter): number {
    const bytes = Math.max(0, count) * BYTES_PER_ENTRY_HINT;
    return Math.min(bytes, filter.text || filter.minLevel ? FILTERED_BODY_HINT : MAX_BODY_HINT);
  }

  private write(slot: number, batch: EntryBatch, i: number): void {
    this.arena.put(batch.messages[i], this.refs, slot);
    this.times[slot] = batch.times[i];
    this.levels[slot] = batch.levels[i];
    if (this.data) {
      this.forgetData(slot);
      const data = batch.data ? batch.data[i] : undefined;
      this.data[slot] = data;
      if (data !== undefined) this.dataUnits += data.length;
    }
  }

  private forgetData(slot: number): void {
    const old = this.data?.[slot];
    if (old === undefined) return;
    this.dataUnits -= old.length;
    (this.data as (string | undefined)[])[slot] = undefined;
  }

  private entry(seq: number, slot: number): StoredEntry {
    return {
      seq,
      time: this.times[slot],
      level: this.levels[slot] & LEVEL_MASK,
      message: this.arena.get(this.refs, slot),
      data: this.data ? this.data[slot] : undefined,
    };
  }

  /** Grows the columns so that `held` entries fit, up to the capacity, moving each held entry to its new slot. */
  private reserve(held: number): void {
    if (held <= this.allocated || this.allocated === this.capacity) return;
    let size = this.allocated * 2;
    while (size < held) size *= 2;
    size = Math.min(size, this.capacity);
    const move = <T extends Slots>(from: T, to: T): T => moveRing(from, to, this.first, this.next);
    const grown = newColumns(size);
    this.refs = {
      block: move(this.refs.block, grown.refs.block),
      offset: move(this.refs.offset, grown.refs.offset),
      length: move(this.refs.length, grown.refs.length),
    };
    this.times = move(this.times, grown.times);
    this.levels = move(this.levels, grown.levels);
    if (this.data) this.data = move(this.data, new Array<string | undefined>(size));
    this.allocated = size;
  }

  private matcher(filter: LogFilter): Matcher {
    const minLevel = filter.minLevel ? LEVEL_CODE[filter.minLevel] : 0;
    const text = filter.text ? new TextSearch(filter.text) : null;
    if (minLevel === 0 && !text) return ALL;
    const { levels, refs, arena } = this;
    const levelPasses = (slot: number) => (levels[slot] & LEVEL_MASK) >= minLevel;
    if (!text) return { passes: levelPasses, candidateFrom: (seq) => seq };
    return {
      passes: (slot) => levelPasses(slot) && text.test(arena.blockOf(refs, slot), refs.offset[slot], refs.length[slot]),
      candidateFrom: (seq, end) => this.textCandidateFrom(text, seq, end),
    };
  }

  /**
   * Passes over the entries whose messages end before the next place in their block where
   * `text` may start: a search of 10,000 entries with a few matches then costs a pass over
   * each block's bytes, not a test per entry. A log's messages lie in its blocks in `seq` order.
   */
  private textCandidateFrom(text: TextSearch, seq: number, end: number): number {
    if (seq >= end) return seq;
    const { refs, allocated } = this;
    let slot = seq % allocated;
    const block = refs.block[slot];
    const at = text.candidateAt(this.arena.blockOf(refs, slot), refs.offset[slot]);
    while (refs.block[slot] === block && refs.offset[slot] + refs.length[slot] <= at) {
      if (++seq === end) break;
      slot = seq % allocated;
    }
    return seq;
  }

  private countMatching(matches: Matcher): number {
    if (matches === ALL) return this.next - this.first;
    let count = 0;
    const end = this.next;
    for (let seq = matches.candidateFrom(this.first, end); seq < end; seq = matches.candidateFrom(seq + 1, end)) {
      if (matches.passes(seq % this.allocated)) count++;
    }
    return count;
  }
}

/** Bytes a response body starts with per entry it may hold, and at most (see sizeHint()). */
const BYTES_PER_ENTRY_HINT = 200;
const FILTERED_BODY_HINT = 16 * 1024;
const MAX_BODY_HINT = 1 << 20;

const ALL: Matcher = { passes: () => true, candidateFrom: (seq) => seq };
/** Column bytes per slot: block and length refs (4 each), offset in the block (2), time (8), level (1). */
const BYTES_PER_SLOT = 19;

interface Columns {
  refs: MessageRefs;
  times: Float64Array;
  levels: Uint8Array;
}

/**
 * The five typed columns of a ring of `size` slots, as views of one allocation: a log that
 * grows frees one chunk per size it outgrows, not five, and a log holds one allocation beside
 * its message blocks instead of five. Largest element first, so that every view is aligned.
 */
function newColumns(size: number): Columns {
  const buffer = new ArrayBuffer(size * BYTES_PER_SLOT);
  return {
    times: new Float64Array(buffer, 0, size),
    refs: {
      block: new Uint32Array(buffer, 8 * size, size),
      length: new Uint32Array(buffer, 12 * size, size),
      offset: new Uint16Array(buffer, 16 * size, size),
    },
    levels: new Uint8Array(buffer, 18 * size, size),
  };
}

type Slots = ArrayLike<unknown> & { [slot: number]: unknown };

/**
 * Copies entries `first`…`next - 1` from one ring to a larger one (each entry's slot is
 * `seq % length`), in runs that wrap in neither: a typed array copies a run at once. A log
 * growing to a capacity of 1,000,000 moved 2,000,000 slots per column one by one.
 */
function moveRing<T extends Slots>(from: T, to: T, first: number, next: number): T {
  for (let seq = first; seq < next; ) {
    const source = seq % from.length;
    const target = seq % to.length;
    const run = Math.min(next - seq, from.length - source, to.length - target);
    if (ArrayBuffer.isView(from)) {
      (to as unknown as Uint8Array).set((from as unknown as Uint8Array).subarray(source, source + run), target);
    } else {
      for (let i = 0; i < run; i++) to[target + i] = from[source + i];
    }
    seq += run;
  }
  return to;
}
