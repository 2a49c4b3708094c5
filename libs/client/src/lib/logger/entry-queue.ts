import type { LogEntryInput } from '@zen/contract';
import { splitUtf8 } from '../utf8';

/**
 * The entries waiting to be sent, oldest first, bounded: past `capacity` the oldest are
 * dropped and counted. An array with a moving head, so both ends are O(1).
 */
export class EntryQueue {
  private items: LogEntryInput[] = [];
  private head = 0;
  /** Entries dropped since the count was last taken. */
  private droppedSinceReport = 0;
  /** Rough UTF-8 size of what is queued, to decide when a batch is full without serialising. */
  approxBytes = 0;

  /** How many may wait right now: `capacity`, or more while the server takes entries (see `SessionLogger`). */
  limit: number;

  constructor(readonly capacity: number) {
    this.limit = capacity;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(entry: LogEntryInput): void {
    this.items.push(entry);
    this.approxBytes += entry.message.length + 64;
    if (this.length > this.limit) {
      this.dropOldest();
      this.compact();
    }
  }

  private dropOldest(): void {
    const oldest = this.items[this.head];
    this.items[this.head++] = undefined as unknown as LogEntryInput;
    this.approxBytes -= oldest.message.length + 64;
    this.droppedSinceReport++;
  }

  /** Puts entries back in front of everything queued (a batch to send again, a report), then trims to capacity. */
  requeue(entries: LogEntryInput[]): void {
    this.requeueUnbounded(entries);
    this.trim();
  }

  /** Drops the oldest beyond the limit. */
  trim(): void {
    while (this.length > this.limit) this.dropOldest();
    this.compact();
  }

  private requeueUnbounded(entries: LogEntryInput[]): void {
    if (entries.length === 0) return;
    this.items = entries.concat(this.items.slice(this.head));
    this.head = 0;
    for (const entry of entries) this.approxBytes += entry.message.length + 64;
  }

  /**
   * Splits every queued entry longer than `maxBytes` (UTF-8) into entries of at most that size,
   * in place and in order; how many were split. Not bounded by the limit: nothing is lost.
   */
  splitLongerThan(maxBytes: number): number {
    let split = 0;
    const kept: LogEntryInput[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const entry = this.items[i];
      const pieces = splitUtf8(entry.message, maxBytes);
      if (pieces.length === 1) {
        kept.push(entry);
        continue;
      }
      split++;
      for (const message of pieces) kept.push({ ...entry, message });
    }
    if (split === 0) return 0;
    this.items = kept;
    this.head = 0;
    this.approxBytes = kept.reduce((bytes, entry) => bytes + entry.message.length + 64, 0);
    return split;
  }

  /** Puts one entry in front, even beyond capacity (the report of what was dropped must not drop itself). */
  unshiftReport(entry: LogEntryInput): void {
    this.requeueUnbounded([entry]);
  }

  /** The entry `index` places from the front. */
  at(index: number): LogEntryInput {
    return this.items[this.head + index];
  }

  /** Takes the first `count` entries out of the queue. */
  take(count: number): LogEntryInput[] {
    const taken = this.items.slice(this.head, this.head + Math.min(count, this.length));
    for (const entry of taken) this.approxBytes -= entry.message.length + 64;
    this.head += taken.length;
    this.compact();
    return taken;
  }

  /** How many were dropped since the last call, resetting the count. */
  takeDropped(): number {
    const dropped = this.droppedSinceReport;
    this.droppedSinceReport = 0;
    return dropped;
  }

  get dropped(): number {
    return this.droppedSinceReport;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.approxBytes = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
