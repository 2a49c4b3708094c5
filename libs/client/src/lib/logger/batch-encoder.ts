import type { LogEntryInput } from '@zen/contract';
import { utf8Length } from '../utf8';
import type { EntryQueue } from './entry-queue';

/** A batch ready to send: how many entries from the front of the queue, and the request body. */
export interface EncodedBatch {
  count: number;
  body: Uint8Array<ArrayBuffer>;
}

const OPEN = '{"entries":[';
const CLOSE = ']}';
const COMMA = 0x2c;
const QUOTE = 0x22;
/** What JSON must escape in a string, and surrogates (JSON.stringify writes a lone one as an escape). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * Writes `{"entries":[...]}` straight into reused byte buffers: no string per batch, no
 * join, no second pass to encode or measure it. Entries next to each other mostly share their
 * time and level (and a CLI's frozen `data`), so the JSON around the message is made once per run.
 */
export class BatchEncoder {
  /**
   * Two buffers taken in turn: a body stays as it was until the encode after next, and the
   * logger has one request out at a time, so no copy is needed.
   */
  private readonly buffers: Uint8Array<ArrayBuffer>[] = [new Uint8Array(1 << 16), new Uint8Array(1 << 16)];
  private turn = 0;
  private buffer = this.buffers[0];
  private prefixFor: { time: LogEntryInput['time']; level: LogEntryInput['level']; json: string } | null = null;
  private lastData: unknown = null;
  private lastDataJson = '';

  constructor(private readonly writer: Utf8Writer = utf8Writer()) {}

  /** The longest run from the front of `queue` within `maxEntries` and `maxBytes` (at least one entry). */
  encode(queue: EntryQueue, maxEntries: number, maxBytes: number): EncodedBatch {
    this.turn ^= 1;
    this.buffer = this.buffers[this.turn];
    let offset = this.write(OPEN, 0);
    let count = 0;
    const room = maxBytes - CLOSE.length;
    while (count < queue.length && count < maxEntries) {
      const entry = queue.at(count);
      const head = this.prefix(entry);
      // Most messages need no escaping: written as they are, between quotes, with no JSON copy.
      const plain = !NEEDS_ESCAPE.test(entry.message);
      const message = plain ? entry.message : JSON.stringify(entry.message);
      const quotes = plain ? 2 : 0;
      const tail = this.suffix(entry);
      // A UTF-16 unit is at most 3 bytes: count exactly only near the end of the batch.
      let size = 1 + quotes + (head.length + message.length + tail.length) * 3;
      if (offset + size > room) {
        size = 1 + quotes + utf8Length(head) + utf8Length(message) + utf8Length(tail);
        if (count > 0 && offset + size > room) break;
      }
      this.reserve(offset + size + CLOSE.length);
      if (count > 0) this.buffer[offset++] = COMMA;
      offset = this.write(head, offset);
      if (quotes) this.buffer[offset++] = QUOTE;
      offset = this.write(message, offset);
      if (quotes) this.buffer[offset++] = QUOTE;
      offset = this.write(tail, offset);
      count++;
    }
    offset = this.write(CLOSE, offset);
    return { count, body: this.buffer.subarray(0, offset) };
  }

  /** `{"time":"…","level":"…","message":` (the level left out when it is the default, info). */
  private prefix(entry: LogEntryInput): string {
    const cached = this.prefixFor;
    if (cached && cached.time === entry.time && cached.level === entry.level) return cached.json;
    const time = entry.time ? `"time":${JSON.stringify(entry.time)},` : '';
    const level = entry.level && entry.level !== 'info' ? `"level":"${entry.level}",` : '';
    const json = `{${time}${level}"message":`;
    this.prefixFor = { time: entry.time, level: entry.level, json };
    return json;
  }

  /** `,"data":{…}}`; a frozen `data` seen last time cannot have changed and is serialised once. */
  private suffix(entry: LogEntryInput): string {
    if (!entry.data) return '}';
    if (entry.data !== this.lastData || !Object.isFrozen(entry.data)) {
      this.lastData = entry.data;
      this.lastDataJson = `,"data":${JSON.stringify(entry.data)}}`;
    }
    return this.lastDataJson;
  }

  private reserve(bytes: number): void {
    if (bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(bytes, this.buffer.length * 2));
    grown.set(this.buffer);
    this.buffer = this.buffers[this.turn] = grown;
  }

  private write(text: string, offset: number): number {
    return offset + this.writer(text, this.buffer, offset);
  }
}

/** Writes `text` as UTF-8 into `target` at `offset` (room is reserved first); returns the bytes written. */
export type Utf8Writer = (text: string, target: Uint8Array, offset: number) => number;

interface NodeBuffer {
  prototype: { utf8Write?(this: Uint8Array, text: string, offset: number): number };
}

/** Node's Buffer writes UTF-8 into any Uint8Array fastest; a browser's TextEncoder does it elsewhere. */
export function utf8Writer(): Utf8Writer {
  const utf8Write = (globalThis as { Buffer?: NodeBuffer }).Buffer?.prototype.utf8Write;
  return typeof utf8Write === 'function'
    ? (text, target, offset) => utf8Write.call(target, text, offset)
    : textEncoderWriter();
}

export function textEncoderWriter(): Utf8Writer {
  const encoder = new TextEncoder();
  return (text, target, offset) => encoder.encodeInto(text, target.subarray(offset)).written;
}
