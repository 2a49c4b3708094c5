import type { LogEntryInput } from '@zen/contract';
import { decodeUtf8, splitUtf8, utf8Length } from '../utf8';
import { EntryJsonWriter, fittedData } from './entry-json';

const COMMA = 0x2c;
const MIN_BUFFER = 1 << 16;
/** A buffer grown past this (an outage's backlog) is let go once the queue is empty again. */
const KEEP_AT_MOST = 16 << 20;

/**
 * The entries waiting to be sent, oldest first, bounded: past `limit` the oldest are dropped
 * and counted. Each entry is written as its JSON when it is queued, into one byte buffer, each
 * followed by a comma: a batch is one copy of a run of it. Nothing a `log()` call made outlives
 * it: a queue of entry objects kept them, and the strings of the lines, alive across the young
 * generation's collections while a batch was out, and that copying was most of `run`'s CPU.
 */
export class EntryQueue {
  private buffer = new Uint8Array(MIN_BUFFER);
  /** Where the oldest entry starts in `buffer`. */
  private start = 0;
  /** Where the newest entry (and its comma) ends in `buffer`. */
  private end = 0;
  /** Where each entry ends, oldest at `head`, counted from `base` (so moving the bytes moves no offset). */
  private ends: number[] = [];
  private head = 0;
  /** Bytes moved out from under the offsets in `ends`: an offset `o` is at `buffer[o - base]`. */
  private base = 0;
  /** Entries dropped since the count was last taken. */
  private droppedSinceReport = 0;

  /** How many may wait right now: `capacity`, or more while the server takes entries (see `SessionLogger`). */
  limit: number;

  constructor(
    readonly capacity: number,
    private readonly json = new EntryJsonWriter(),
  ) {
    this.limit = capacity;
  }

  get length(): number {
    return this.ends.length - this.head;
  }

  /** UTF-8 bytes queued: the entries' JSON and a comma after each. */
  get bytes(): number {
    return this.end - this.start;
  }

  push(
    time: LogEntryInput['time'],
    level: LogEntryInput['level'],
    message: string,
    data?: LogEntryInput['data'],
  ): void {
    this.append(time, level, message, data);
    if (this.length > this.limit) this.trim();
  }

  /**
   * Queues an entry whose message is UTF-8 bytes, written as they are, escaped where JSON needs
   * it; false (and nothing queued) when they are not valid UTF-8: the caller then decodes them
   * and pushes the message as a string.
   */
  pushBytes(
    time: LogEntryInput['time'],
    level: LogEntryInput['level'],
    bytes: Uint8Array,
    start: number,
    end: number,
    data?: LogEntryInput['data'],
  ): boolean {
    if (!this.appendPrepared(this.json.prepareBytes(time, level, bytes, start, end, data))) return false;
    if (this.length > this.limit) this.trim();
    return true;
  }

  /** Drops the oldest beyond the limit. */
  trim(): void {
    while (this.length > this.limit) {
      this.start = this.ends[this.head++] - this.base;
      this.droppedSinceReport++;
    }
    this.compactEnds();
  }

  /** How many entries from the front fit in `room` bytes joined by commas: at most `maxEntries`, and at least one. */
  fitting(maxEntries: number, room: number): number {
    let low = 1;
    let high = Math.min(maxEntries, this.length);
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.runBytes(middle) <= room) low = middle;
      else high = middle - 1;
    }
    return Math.min(low, this.length);
  }

  /** Bytes of the first `count` entries joined by commas (without the last one's). */
  runBytes(count: number): number {
    return count === 0 ? 0 : this.ends[this.head + count - 1] - this.base - this.start - 1;
  }

  /** Copies the first `count` entries, joined by commas, into `target` at `offset`. */
  copyRun(count: number, target: Uint8Array, offset: number): void {
    target.set(this.buffer.subarray(this.start, this.start + this.runBytes(count)), offset);
  }

  /** Takes the first `count` entries out of the queue; returns their sizes, to put them back with `putBack`. */
  take(count: number): number[] {
    count = Math.min(count, this.length);
    const sizes = new Array<number>(count);
    let from = this.start + this.base;
    for (let i = 0; i < count; i++) {
      const to = this.ends[this.head + i];
      sizes[i] = to - from;
      from = to;
    }
    this.head += count;
    this.start = from - this.base;
    this.compactEnds();
    return sizes;
  }

  /**
   * Puts entries back in front of everything queued (a batch to send again): `run` as `copyRun`
   * wrote them, `sizes` as `take` gave them. Then trims to the limit.
   */
  putBack(run: Uint8Array, sizes: number[]): void {
    if (sizes.length > 0) this.putBackUnbounded(run, sizes);
    this.trim();
  }

  /** Puts one entry in front, even beyond the limit (the report of what was dropped must not drop itself). */
  unshiftReport(entry: LogEntryInput): void {
    const bytes = new Uint8Array(this.json.prepare(entry.time, entry.level, entry.message, entry.data));
    const size = this.json.write(bytes, 0);
    this.putBackUnbounded(bytes.subarray(0, size), [size + 1]);
  }

  /**
   * Splits every queued entry longer than `maxBytes` (UTF-8) into entries of at most that size,
   * in place and in order; how many were split. Not bounded by the limit: nothing is lost.
   * (Rare: once, when a server names a smaller limit. Entries are read back from their JSON.)
   */
  splitLongerThan(maxBytes: number): number {
    const entries = this.entries();
    const pieces = entries.map((entry) => splitUtf8(entry.message, maxBytes));
    const split = pieces.filter((each) => each.length > 1).length;
    if (split === 0) return 0;
    this.clear();
    entries.forEach((entry, i) => {
      for (const message of pieces[i]) this.append(entry.time, entry.level, message, entry.data);
    });
    return split;
  }

  /**
   * From now on `data` is written within `maxBytes` serialised (see `fittedData`), and so is every
   * entry queued already, in place and in order; how many were cut. (Rare: once, when a server
   * names a data limit below the one they were written to. Entries are read back from their JSON.)
   */
  fitData(maxBytes: number): number {
    this.json.setMaxDataBytes(maxBytes);
    const entries = this.entries();
    let cut = 0;
    for (const entry of entries) {
      if (entry.data === undefined || entry.data === null) continue;
      const json = JSON.stringify(entry.data);
      if (utf8Length(json) <= maxBytes) continue;
      cut++;
      // A stand-in already (cut to a larger limit): its JSON is cut again, still telling the data's size.
      const { truncated, bytes, json: start } = entry.data as { truncated?: unknown; bytes?: unknown; json?: unknown };
      const standIn = truncated === true && typeof bytes === 'number' && typeof start === 'string';
      const fitted = standIn ? fittedData(start, maxBytes, bytes) : fittedData(json, maxBytes);
      entry.data = fitted === undefined ? undefined : (JSON.parse(fitted) as LogEntryInput['data']);
    }
    if (cut === 0) return 0;
    this.clear();
    for (const entry of entries) this.append(entry.time, entry.level, entry.message, entry.data);
    return cut;
  }

  /** The queued entries, read back from their JSON (for the rare paths, and tests). */
  entries(): LogEntryInput[] {
    if (this.length === 0) return [];
    // Without the last entry's comma.
    return JSON.parse(`[${decodeUtf8(this.buffer, this.start, this.end - 1)}]`) as LogEntryInput[];
  }

  /** How many were dropped since the last call, resetting the count. */
  takeDropped(): number {
    const dropped = this.droppedSinceReport;
    this.droppedSinceReport = 0;
    return dropped;
  }

  /** Counts `count` entries as dropped again (a report of them that could not be sent). */
  countDropped(count: number): void {
    this.droppedSinceReport += count;
  }

  get dropped(): number {
    return this.droppedSinceReport;
  }

  clear(): void {
    this.ends = [];
    this.head = 0;
    this.start = this.end = this.base = 0;
    if (this.buffer.length > KEEP_AT_MOST) this.buffer = new Uint8Array(MIN_BUFFER);
  }

  private append(
    time: LogEntryInput['time'],
    level: LogEntryInput['level'],
    message: string,
    data?: LogEntryInput['data'],
  ): void {
    this.appendPrepared(this.json.prepare(time, level, message, data));
  }

  /** Writes the entry `json` has prepared (at most `size` bytes) and a comma; false when `json` could not. */
  private appendPrepared(size: number): boolean {
    this.reserve(size + 1);
    const written = this.json.write(this.buffer, this.end);
    if (written < 0) return false;
    this.end += written;
    this.buffer[this.end++] = COMMA;
    this.ends.push(this.end + this.base);
    return true;
  }

  private putBackUnbounded(run: Uint8Array, sizes: number[]): void {
    const queued = this.buffer.subarray(this.start, this.end);
    const total = run.length + 1 + queued.length;
    let buffer = this.buffer;
    if (total <= buffer.length) {
      buffer.copyWithin(run.length + 1, this.start, this.end);
    } else {
      buffer = new Uint8Array(bufferSize(total));
      buffer.set(queued, run.length + 1);
    }
    buffer.set(run, 0);
    buffer[run.length] = COMMA;
    // Offsets from 0 again: the put-back entries, then the queued ones after them.
    const ends: number[] = [];
    let at = 0;
    for (const size of sizes) ends.push((at += size));
    for (let i = this.head; i < this.ends.length; i++) ends.push(this.ends[i] - this.base - this.start + at);
    this.buffer = buffer;
    this.ends = ends;
    this.head = 0;
    this.base = 0;
    this.start = 0;
    this.end = total;
  }

  /** Makes room for `bytes` more at the end: moves the queued bytes to the front, or into a larger buffer. */
  private reserve(bytes: number): void {
    if (this.end + bytes <= this.buffer.length) return;
    const queued = this.end - this.start;
    // Kept at least twice what it holds, so a move comes after as many bytes were queued as it moves.
    const size = bufferSize(queued + bytes);
    if (size <= this.buffer.length) {
      this.buffer.copyWithin(0, this.start, this.end);
    } else {
      const grown = new Uint8Array(size);
      grown.set(this.buffer.subarray(this.start, this.end));
      this.buffer = grown;
    }
    this.base += this.start;
    this.start = 0;
    this.end = queued;
  }

  private compactEnds(): void {
    if (this.head === this.ends.length) {
      // Empty: start over at the front of the buffer.
      this.clear();
    } else if (this.head > 4096 && this.head * 2 > this.ends.length) {
      this.ends = this.ends.slice(this.head);
      this.head = 0;
    }
  }
}

/** A power of two at least twice `bytes`. */
function bufferSize(bytes: number): number {
  return Math.max(MIN_BUFFER, 2 ** Math.ceil(Math.log2(bytes * 2)));
}
