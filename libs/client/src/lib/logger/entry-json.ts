import { DEFAULT_LIMITS, type LogEntryInput } from '@zen/contract';
import { splitUtf8, utf8Length } from '../utf8';
import { MAX_ESCAPED_BYTES_PER_BYTE, writeJsonStringBytes } from './json-string-bytes';
import { safeJson } from './safe-json';

type Time = LogEntryInput['time'];
type Level = LogEntryInput['level'];
type Data = LogEntryInput['data'];

/** What JSON must escape in a string, and surrogates (JSON.stringify writes a lone one as an escape). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
const QUOTE = 0x22;
const ENCODER = new TextEncoder();
/** The tail of an entry without `data`: its closing brace. */
const NO_DATA = ENCODER.encode('}');

/**
 * Writes one entry as the JSON object a batch carries, `{"time":"…","level":"…","message":"…","data":{…}}`,
 * in two steps: `prepare` says how many bytes it may take, so the caller can make room, and
 * `write` puts it there. Entries next to each other mostly share their time and level (and a
 * CLI's frozen `data`), so the JSON around the message is made once per run of them, and kept
 * as bytes: copying them costs less than encoding a string per entry.
 */
export class EntryJsonWriter {
  private prefixFor: { time: Time; level: Level; bytes: Uint8Array } | null = null;
  private lastData: unknown = null;
  private lastDataBytes: Uint8Array = NO_DATA;
  // The prepared entry's parts.
  private head: Uint8Array = NO_DATA;
  private message = '';
  private quoted = false;
  /** The tail as bytes, or null when it is `tailText` (a `data` not worth keeping as bytes). */
  private tail: Uint8Array | null = NO_DATA;
  private tailText = '';
  /** A message given as bytes: `bytes[from..to)`. */
  private bytes: Uint8Array | null = null;
  private from = 0;
  private to = 0;

  /**
   * @param maxDataBytes `data` longer than this serialised (UTF-8) is written as a stand-in that
   *   fits (see `fittedData`).
   */
  constructor(
    private readonly utf8: Utf8Writer = utf8Writer(),
    private maxDataBytes: number = DEFAULT_LIMITS.dataMaxBytes,
  ) {}

  /** Sets the data limit (a server's, smaller than the default); forgets the data it kept as bytes. */
  setMaxDataBytes(maxBytes: number): void {
    this.maxDataBytes = maxBytes;
    this.lastData = null;
    this.lastDataBytes = NO_DATA;
  }

  /** Prepares an entry; returns the most bytes its JSON can take (a UTF-16 unit is at most 3 UTF-8 bytes). */
  prepare(time: Time, level: Level, message: string, data: Data): number {
    this.head = this.prefix(time, level);
    // Most messages need no escaping: written as they are, between quotes, with no JSON copy.
    this.quoted = !NEEDS_ESCAPE.test(message);
    this.message = this.quoted ? message : JSON.stringify(message);
    this.suffix(data);
    return 2 + this.head.length + this.message.length * 3 + this.tailRoom();
  }

  /**
   * Prepares an entry whose message is UTF-8 bytes (`bytes[start..end)`, not kept past `write`),
   * to be written into the JSON as they are, escaped where JSON needs it (see
   * `writeJsonStringBytes`): `write` answers -1 when they are not valid UTF-8.
   */
  prepareBytes(time: Time, level: Level, bytes: Uint8Array, start: number, end: number, data: Data): number {
    this.head = this.prefix(time, level);
    this.bytes = bytes;
    this.from = start;
    this.to = end;
    this.quoted = true;
    this.suffix(data);
    return 2 + this.head.length + (end - start) * MAX_ESCAPED_BYTES_PER_BYTE + this.tailRoom();
  }

  /**
   * Writes the prepared entry at `offset` (with the room `prepare` asked for); returns the bytes
   * written, or -1 when a message given as bytes is not valid UTF-8 (what was written is garbage).
   */
  write(target: Uint8Array, offset: number): number {
    target.set(this.head, offset);
    let at = offset + this.head.length;
    if (this.quoted) target[at++] = QUOTE;
    if (this.bytes) {
      const written = writeJsonStringBytes(this.bytes, this.from, this.to, target, at);
      this.bytes = null;
      if (written < 0) return -1;
      at += written;
    } else {
      at += this.utf8(this.message, target, at);
      this.message = '';
    }
    if (this.quoted) target[at++] = QUOTE;
    if (this.tail) {
      target.set(this.tail, at);
      return at + this.tail.length - offset;
    }
    at += this.utf8(this.tailText, target, at);
    this.tailText = '';
    return at - offset;
  }

  /** `{"time":"…","level":"…","message":` (the level left out when it is the default, info). */
  private prefix(time: Time, level: Level): Uint8Array {
    const cached = this.prefixFor;
    if (cached && cached.time === time && cached.level === level) return cached.bytes;
    const timeJson = time ? `"time":${JSON.stringify(time)},` : '';
    const levelJson = level && level !== 'info' ? `"level":"${level}",` : '';
    const bytes = ENCODER.encode(`{${timeJson}${levelJson}"message":`);
    this.prefixFor = { time, level, bytes };
    return bytes;
  }

  /**
   * `,"data":{…}}`. A frozen `data` cannot change: the one seen last is serialised and encoded
   * once (the CLI's `{"stream":…}`). Any other is serialised per entry and written as text, with
   * no bytes made for it only to be copied once. A `data` that JSON writes as
   * nothing (its `toJSON` answers undefined) is left out.
   */
  private suffix(data: Data): void {
    if (data && data === this.lastData) {
      this.tail = this.lastDataBytes; // only a frozen one is kept, and it stays frozen
      return;
    }
    let json = data ? safeJson(data) : undefined;
    // Only long JSON can exceed the limit: a UTF-16 unit is at most 3 UTF-8 bytes.
    if (json !== undefined && json.length * 3 > this.maxDataBytes) json = fittedData(json, this.maxDataBytes);
    if (json === undefined) {
      this.tail = NO_DATA;
    } else if (Object.isFrozen(data)) {
      this.lastData = data;
      this.tail = this.lastDataBytes = ENCODER.encode(`,"data":${json}}`);
    } else {
      this.tail = null;
      this.tailText = `,"data":${json}}`;
    }
  }

  private tailRoom(): number {
    return this.tail ? this.tail.length : this.tailText.length * 3;
  }
}

/**
 * `data`'s JSON within `maxBytes` (UTF-8): as it is when it fits, else a stand-in that keeps its
 * start, `{"truncated":true,"bytes":<its size>,"json":"<its JSON, cut to fit>"}`, rather than
 * the server refusing the entry, its message with it (`MAX_DATA_BYTES`: 64 KiB by default). Below
 * the room a stand-in needs (a server's limit of a few bytes), undefined: the entry goes without
 * data. With `standsFor`, `json` is a stand-in's cut JSON already, of data that size: cut again.
 */
export function fittedData(json: string, maxBytes: number, standsFor?: number): string | undefined {
  if (standsFor === undefined && json.length * 3 <= maxBytes) return json;
  const bytes = standsFor ?? utf8Length(json);
  if (standsFor === undefined && bytes <= maxBytes) return json;
  const head = `{"truncated":true,"bytes":${bytes},"json":`;
  const room = maxBytes - head.length - 1;
  // Escapes make the string longer than the text it holds: cut shorter by as much, until it fits.
  for (let cut = room - 2; cut >= 0 && room >= 2; ) {
    const start = JSON.stringify(splitUtf8(json.slice(0, cut), cut)[0]);
    const size = utf8Length(start);
    if (size <= room) return `${head}${start}}`;
    cut = Math.min(cut - 1, Math.floor((cut * room) / size));
  }
  const bare = `{"truncated":true,"bytes":${bytes}}`;
  return bare.length <= maxBytes ? bare : undefined;
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
