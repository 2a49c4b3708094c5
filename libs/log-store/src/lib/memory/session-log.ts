import { EntryBatch, ERROR, LEVEL_CODE, WARN } from '../entry-batch';
import { MessageArena, MessageRefs } from './message-arena';
import { CursorRead, CursorSlice, LogCounters, LogFilter, PageRead, PageSlice, StoredEntry } from '../log-store';

/** Slots a new log starts with; it doubles up to its capacity as entries arrive. */
const INITIAL_SLOTS = 16;

type Matcher = (slot: number) => boolean;

/**
 * One session's capped log, stored as columns in a ring: times, levels and where each
 * message's bytes are in typed arrays, the messages' UTF-8 bytes in a MessageArena,
 * `seq` implied by position. That costs the message's bytes plus 21 bytes per entry,
 * off the JavaScript heap, where an object per entry costs ~100 more.
 *
 * Entry `seq` lives in slot `seq % allocated`. While `allocated < capacity` nothing
 * has been evicted yet (`first === 0`, `next <= allocated`), so growing copies every
 * slot to the same index; once full, `allocated === capacity` and the ring wraps.
 */
export class SessionLog {
  private allocated: number;
  private readonly arena = new MessageArena();
  private refs: MessageRefs;
  private times: Float64Array;
  private levels: Uint8Array;
  /** Serialised `data` per slot; allocated only once some entry has data. */
  private data: (string | undefined)[] | null = null;
  /** `seq` of the oldest held entry. */
  private first = 0;
  /** `seq` the next entry gets: the number of entries ever appended. */
  private next = 0;
  private warns = 0;
  private errors = 0;
  /** Entries evicted so far, by level code. */
  readonly evicted = [0, 0, 0, 0];

  constructor(readonly capacity: number) {
    this.allocated = Math.min(capacity, INITIAL_SLOTS);
    this.refs = newRefs(this.allocated);
    this.times = new Float64Array(this.allocated);
    this.levels = new Uint8Array(this.allocated);
  }

  counters(): LogCounters {
    return {
      logCount: this.next - this.first,
      logCursor: this.next,
      warnCount: this.warns,
      errorCount: this.errors,
    };
  }

  /** Bytes the messages take (blocks allocated), for tests and the memory benchmark. */
  messageBytes(): number {
    return this.arena.bytes();
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
      this.evicted[this.levels[seq % this.allocated]]++;
    }
    for (let i = 0; i < skipped; i++) this.evicted[batch.levels[i]]++;
  }

  readCursor(read: CursorRead): CursorSlice {
    const start = Math.max(read.cursor, this.first);
    const dropped = read.cursor < this.first ? this.first - read.cursor : 0;
    const matches = this.matcher(read);
    const limit = read.limit ?? Infinity;
    const entries: StoredEntry[] = [];
    let cursor = Math.max(read.cursor, this.next);
    if (limit === 0) {
      cursor = start;
    }
    for (let seq = start; seq < this.next && entries.length < limit; seq++) {
      const slot = seq % this.allocated;
      if (matches(slot)) {
        entries.push(this.entry(seq, slot));
        if (entries.length === limit) cursor = seq + 1;
      }
    }
    const slice: CursorSlice = { entries, cursor, dropped };
    if (read.withTotal) slice.total = this.countMatching(matches);
    return slice;
  }

  readPage(read: PageRead): PageSlice {
    const matches = this.matcher(read);
    if (matches === ALL) {
      const from = this.first + read.offset;
      const entries: StoredEntry[] = [];
      for (let seq = from; seq < this.next && entries.length < read.limit; seq++) {
        entries.push(this.entry(seq, seq % this.allocated));
      }
      return { entries, total: this.next - this.first, cursor: this.next };
    }
    const entries: StoredEntry[] = [];
    let passed = 0;
    for (let seq = this.first; seq < this.next; seq++) {
      const slot = seq % this.allocated;
      if (!matches(slot)) continue;
      if (passed >= read.offset && entries.length < read.limit) {
        entries.push(this.entry(seq, slot));
      }
      passed++;
    }
    return { entries, total: passed, cursor: this.next };
  }

  private write(slot: number, batch: EntryBatch, i: number): void {
    this.arena.put(batch.messages[i], this.refs, slot);
    this.times[slot] = batch.times[i];
    this.levels[slot] = batch.levels[i];
    if (this.data) this.data[slot] = batch.data ? batch.data[i] : undefined;
  }

  private entry(seq: number, slot: number): StoredEntry {
    return {
      seq,
      time: this.times[slot],
      level: this.levels[slot],
      message: this.arena.get(this.refs, slot),
      data: this.data ? this.data[slot] : undefined,
    };
  }

  /** Grows the columns so that `held` entries fit, up to the capacity. */
  private reserve(held: number): void {
    if (held <= this.allocated || this.allocated === this.capacity) return;
    let size = this.allocated * 2;
    while (size < held) size *= 2;
    size = Math.min(size, this.capacity);
    this.refs = {
      block: grow(this.refs.block, new Uint32Array(size)),
      offset: grow(this.refs.offset, new Uint32Array(size)),
      length: grow(this.refs.length, new Uint32Array(size)),
    };
    this.times = grow(this.times, new Float64Array(size));
    this.levels = grow(this.levels, new Uint8Array(size));
    if (this.data) {
      const data = new Array<string | undefined>(size);
      for (let i = 0; i < this.next; i++) data[i] = this.data[i];
      this.data = data;
    }
    this.allocated = size;
  }

  private matcher(filter: LogFilter): Matcher {
    const minLevel = filter.minLevel ? LEVEL_CODE[filter.minLevel] : 0;
    const text = filter.text ? containsIgnoringCase(filter.text) : null;
    if (minLevel === 0 && !text) return ALL;
    return (slot) => this.levels[slot] >= minLevel && (!text || text.test(this.arena.get(this.refs, slot)));
  }

  private countMatching(matches: Matcher): number {
    if (matches === ALL) return this.next - this.first;
    let count = 0;
    for (let seq = this.first; seq < this.next; seq++) {
      if (matches(seq % this.allocated)) count++;
    }
    return count;
  }
}

const ALL: Matcher = () => true;

function newRefs(size: number): MessageRefs {
  return { block: new Uint32Array(size), offset: new Uint32Array(size), length: new Uint32Array(size) };
}

function grow<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function containsIgnoringCase(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
}
