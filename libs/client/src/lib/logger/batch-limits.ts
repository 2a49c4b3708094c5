import { DEFAULT_LIMITS } from '@zen/contract';
import { ApiError } from '../errors';
import { utf8Length } from '../utf8';
import type { EntryQueue } from './entry-queue';
import type { SessionLoggerOptions } from './session-logger-options';
import { namedBatchEntries, namedBodyBytes, namedDataLimit, namedMessageLimit } from '../server-answers';

/** What to do with a batch the server refused, once it is back in the queue. */
export type Refusal = 'send again' | 'drop the first' | 'retry or stop';

/**
 * How big a batch and a message may be: the options' limits at first, then what the server's
 * refusals teach (the limits a `400` or `413` names, halving for one that names none), and the
 * halving that isolates the one bad entry of a batch refused with `400`.
 */
export class BatchLimits {
  /** Largest request body (UTF-8 bytes). */
  maxBatchBytes: number;
  /** Most entries a batch may hold, as far as this server is known to take. */
  private maxBatchEntries: number;
  /** Most entries of the next batch: below `maxBatchEntries` while isolating a bad entry. */
  entryCap: number;
  /** Longer messages are split into several entries (UTF-8 bytes). */
  maxMessageBytes: number;
  /** Larger `data` (serialised, UTF-8 bytes) is sent cut to fit (see `fittedData`). */
  maxDataBytes: number;
  /** Entries of a batch refused with 400 still being sent in halves to find the bad one. */
  private isolating = 0;

  constructor(options: SessionLoggerOptions) {
    // Leave room below the body limit for the envelope and a rounding of the estimate.
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_LIMITS.maxBodyBytes - 1024;
    this.maxBatchEntries = options.maxBatchEntries ?? 50_000;
    this.entryCap = this.maxBatchEntries;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_LIMITS.messageMaxBytes;
    this.maxDataBytes = options.maxDataBytes ?? DEFAULT_LIMITS.dataMaxBytes;
  }

  /** A batch of `count` entries went through: once the bad entry is found, batches grow back. */
  sent(count: number): void {
    this.isolating = Math.max(0, this.isolating - count);
    if (this.isolating === 0) this.entryCap = Math.min(this.entryCap * 2, this.maxBatchEntries);
  }

  /** The server refused a batch of `count` entries (now back at the front of `queue`): what next. */
  refused(error: unknown, count: number, queue: EntryQueue): Refusal {
    // A server with a smaller message limit names it: split what is queued to fit, rather than lose it.
    if (this.fitMessageLimit(error, queue)) return 'send again';
    if (this.fitDataLimit(error, queue)) return 'send again';
    if (this.fitBatchLimit(error, count)) return 'send again';
    if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 413)) return 'retry or stop';
    // One entry alone is more than the server's body limit (a MAX_BODY_BYTES below its message limit).
    if (error.status === 413 && count === 1 && this.fitBodyLimit(queue)) return 'send again';
    if (count > 1) {
      // Too big for this server, or one bad entry: send smaller batches to isolate it.
      if (error.status === 413) this.maxBatchBytes = Math.max(1024, Math.floor(this.maxBatchBytes / 2));
      this.entryCap = Math.ceil(count / 2);
      this.isolating = Math.max(this.isolating, count);
      return 'send again';
    }
    this.isolating = Math.max(0, this.isolating - 1);
    return 'drop the first';
  }

  /** A `400` naming a message limit below the current one: taken as the limit. Whether it was. */
  learnMessageLimit(error: unknown): boolean {
    const limit = namedMessageLimit(error);
    if (limit === null || limit >= this.maxMessageBytes) return false;
    this.maxMessageBytes = limit;
    return true;
  }

  /**
   * A `400` naming the server's message limit (`... is longer than N bytes (MAX_MESSAGE_BYTES)`):
   * from now on messages are split to N bytes, and so is every entry already queued (those
   * queued at the old size too). False when the answer names no limit or nothing was too long.
   */
  private fitMessageLimit(error: unknown, queue: EntryQueue): boolean {
    if (namedMessageLimit(error) === null) return false;
    this.learnMessageLimit(error);
    return queue.splitLongerThan(this.maxMessageBytes) > 0;
  }

  /**
   * A `400` naming the server's data limit below the current one (`... data is larger than N bytes
   * serialised (MAX_DATA_BYTES)`): from now on `data` is cut to N bytes, and so is every entry's
   * already queued. False when the answer names no smaller limit.
   */
  private fitDataLimit(error: unknown, queue: EntryQueue): boolean {
    const limit = namedDataLimit(error);
    if (limit === null || limit >= this.maxDataBytes) return false;
    this.maxDataBytes = limit;
    queue.fitData(limit);
    return true;
  }

  /**
   * A `413` naming the server's MAX_BATCH_ENTRIES or MAX_BODY_BYTES, for a batch of several
   * entries: batches keep within it from now on. Halving them instead (what a `413` that names
   * nothing, a proxy's, gets) made a server with a small MAX_BATCH_ENTRIES answer every third
   * batch with a `413`: the entry cap grows back after each success, and each `413` halved the
   * byte limit again, down to 1 KiB.
   */
  private fitBatchLimit(error: unknown, count: number): boolean {
    if (count < 2) return false;
    const entries = namedBatchEntries(error);
    if (entries !== null && entries >= 1 && entries < count) {
      this.maxBatchEntries = this.entryCap = Math.min(this.maxBatchEntries, entries);
      return true;
    }
    const bytes = namedBodyBytes(error);
    if (bytes !== null && bytes >= 1024 && bytes < this.maxBatchBytes) {
      this.maxBatchBytes = bytes;
      return true;
    }
    return false;
  }

  /**
   * A `413` for a batch of one entry (a MAX_BODY_BYTES, or a proxy's limit, below the message or
   * data limit): the larger of its message and its `data` is halved, from now on and for every
   * entry queued: messages split to half the refused one's size, or `data` cut to half its size
   * (see `fittedData`), until the body fits. False once both are short (a few bytes of message,
   * a stand-in's worth of data): it is then dropped and counted, as a `400` drops one.
   */
  private fitBodyLimit(queue: EntryQueue): boolean {
    const [first] = queue.entries();
    if (!first) return false;
    const messageBytes = utf8Length(first.message);
    const dataBytes = first.data ? utf8Length(JSON.stringify(first.data)) : 0;
    if (dataBytes > 64 && dataBytes >= messageBytes) {
      this.maxDataBytes = Math.min(this.maxDataBytes, Math.floor(dataBytes / 2));
      return queue.fitData(this.maxDataBytes) > 0;
    }
    if (messageBytes <= 4) return false;
    this.maxMessageBytes = Math.min(this.maxMessageBytes, Math.max(4, Math.floor(messageBytes / 2)));
    return queue.splitLongerThan(this.maxMessageBytes) > 0;
  }
}
