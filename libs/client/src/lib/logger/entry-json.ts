import type { LogEntryInput } from '@zen/contract';

type Time = LogEntryInput['time'];
type Level = LogEntryInput['level'];
type Data = LogEntryInput['data'];

/** What JSON must escape in a string, and surrogates (JSON.stringify writes a lone one as an escape). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Writes one entry as the JSON object a batch carries, `{"time":"…","level":"…","message":"…","data":{…}}`,
 * in two steps: `prepare` says how many bytes it may take, so the caller can make room, and
 * `write` puts it there. Entries next to each other mostly share their time and level (and a
 * CLI's frozen `data`), so the JSON around the message is made once per run of them.
 */
export class EntryJsonWriter {
  private prefixFor: { time: Time; level: Level; json: string } | null = null;
  private lastData: unknown = null;
  private lastDataJson = '';
  // The prepared entry's parts.
  private head = '';
  private message = '';
  private quoted = false;
  private tail = '';
  /** A message given as bytes: `bytes[from..to)`. */
  private bytes: Uint8Array | null = null;
  private from = 0;
  private to = 0;

  constructor(private readonly utf8: Utf8Writer = utf8Writer()) {}

  /** Prepares an entry; returns the most bytes its JSON can take (a UTF-16 unit is at most 3 UTF-8 bytes). */
  prepare(time: Time, level: Level, message: string, data: Data): number {
    this.head = this.prefix(time, level);
    // Most messages need no escaping: written as they are, between quotes, with no JSON copy.
    this.quoted = !NEEDS_ESCAPE.test(message);
    this.message = this.quoted ? message : JSON.stringify(message);
    this.tail = this.suffix(data);
    return 2 + (this.head.length + this.message.length + this.tail.length) * 3;
  }

  /**
   * Prepares an entry whose message is UTF-8 bytes (`bytes[start..end)`), to be copied into the
   * JSON as they are if they are printable ASCII without a quote or backslash (most lines of
   * most logs): `write` checks as it copies, and answers -1 when they are not.
   */
  prepareBytes(time: Time, level: Level, bytes: Uint8Array, start: number, end: number, data: Data): number {
    this.head = this.prefix(time, level);
    this.bytes = bytes;
    this.from = start;
    this.to = end;
    this.quoted = true;
    this.tail = this.suffix(data);
    return 2 + end - start + (this.head.length + this.tail.length) * 3;
  }

  /**
   * Writes the prepared entry at `offset` (with the room `prepare` asked for); returns the bytes
   * written, or -1 when a message given as bytes needs escaping (what was written is garbage).
   */
  write(target: Uint8Array, offset: number): number {
    let at = offset + this.utf8(this.head, target, offset);
    if (this.quoted) target[at++] = QUOTE;
    if (this.bytes) {
      const copied = copyPlain(this.bytes, this.from, this.to, target, at);
      this.bytes = null;
      if (copied < 0) return -1;
      at += copied;
    } else {
      at += this.utf8(this.message, target, at);
      this.message = '';
    }
    if (this.quoted) target[at++] = QUOTE;
    at += this.utf8(this.tail, target, at);
    return at - offset;
  }

  /** `{"time":"…","level":"…","message":` (the level left out when it is the default, info). */
  private prefix(time: Time, level: Level): string {
    const cached = this.prefixFor;
    if (cached && cached.time === time && cached.level === level) return cached.json;
    const timeJson = time ? `"time":${JSON.stringify(time)},` : '';
    const levelJson = level && level !== 'info' ? `"level":"${level}",` : '';
    const json = `{${timeJson}${levelJson}"message":`;
    this.prefixFor = { time, level, json };
    return json;
  }

  /** `,"data":{…}}`; a frozen `data` seen last time cannot have changed and is serialised once. */
  private suffix(data: Data): string {
    if (!data) return '}';
    if (data !== this.lastData || !Object.isFrozen(data)) {
      this.lastData = data;
      this.lastDataJson = `,"data":${JSON.stringify(data)}}`;
    }
    return this.lastDataJson;
  }
}

/**
 * Copies `source[from..to)` into `target` at `at` while checking each byte is printable ASCII
 * other than a quote or backslash; the bytes copied, or -1 at the first that is not. One pass
 * does both: a check and then `Buffer#copy` (which makes a view per call) cost twice as much.
 */
function copyPlain(source: Uint8Array, from: number, to: number, target: Uint8Array, at: number): number {
  for (let i = from; i < to; i++) {
    const byte = source[i];
    if (byte < 0x20 || byte >= 0x80 || byte === QUOTE || byte === BACKSLASH) return -1;
    target[at++] = byte;
  }
  return to - from;
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
