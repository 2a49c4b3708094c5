import { addEntry, EntryBatch, emptyBatch, LEVEL_CODE } from './entry-batch';
import { EntryLimits, parseTime, serialiseData } from './entry-parsers';

/** A batch read by scanJsonBatch; entries sent without a time are stamped by stampedBatch. */
export interface ScannedBatch {
  batch: EntryBatch;
  /** Some entry had no time: its slot holds NaN until stamped. */
  untimed: boolean;
}

/**
 * The canonical batch our clients' encoder writes (libs/client batch-encoder.ts), read straight
 * from the body's bytes: `{"entries":[{"time":"…","level":"warn","message":"…","data":{…}},…]}`,
 * no whitespace, each key at most once, `message` required. JSON.parse needs the whole body as
 * one large string and makes an object per entry for parseJsonEntries to walk; here each message
 * is decoded on its own, and an entry that repeats the last one's time, level and `data` costs
 * a byte comparison for them.
 *
 * Strict by design: null for anything it does not fully recognise and validate (whitespace,
 * other keys, a bad level or time, a limit exceeded, malformed JSON, a single entry…). The
 * caller then takes the JSON.parse path, which gives the same batch for a valid body and the
 * exact error for an invalid one; so a non-null answer is always what that path would give.
 */
export function scanJsonBatch(bytes: Buffer, ascii: boolean, limits: EntryLimits): ScannedBatch | null {
  // A single entry, or any other body, costs a few byte comparisons here.
  if (!matchesAt(bytes, 0, BATCH_OPEN)) return null;
  return new BatchScanner(bytes as DecodableBuffer, ascii, limits).batch();
}

/**
 * The batch with its time-less entries stamped `now`. Separate from the scan so that the
 * stamp is taken when the append is accepted (after the session check), as on the other path.
 */
export function stampedBatch({ batch, untimed }: ScannedBatch, now: number): EntryBatch {
  if (untimed) {
    const times = batch.times;
    for (let i = 0; i < times.length; i++) if (Number.isNaN(times[i])) times[i] = now;
  }
  return batch;
}

/** Node's decoders of a byte range: what Buffer#toString calls once it has checked its arguments. */
interface DecodableBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const SPACE = 0x20;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const INFO = LEVEL_CODE.info;

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const BATCH_OPEN = bytesOf('{"entries":[');

/** The entry keys, one bit each so that a repeated key is seen (JSON.parse would keep the last). */
const MESSAGE = 1;
const LEVEL = 2;
const TIME = 4;
const DATA = 8;
/** Quoted text and what it stands for, by the text's first letter (each starts with a different one). */
type ByInitial = readonly ({ text: Uint8Array; code: number } | undefined)[];
const KEYS = byInitial([
  ['"message":', MESSAGE],
  ['"time":', TIME],
  ['"level":', LEVEL],
  ['"data":', DATA],
]);
const LEVELS = byInitial(Object.entries(LEVEL_CODE).map(([name, code]) => [`"${name}"`, code]));

/** `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`: the escapes JSON has besides `\uXXXX`. */
const SHORT_ESCAPE = tableOf('"\\/bfnrt');
const HEX_DIGIT = tableOf('0123456789abcdefABCDEF');
/** Deeper `data` is left to JSON.parse: serialising it may fail, and only that path says how. */
const MAX_DATA_DEPTH = 32;
/** A larger `data` is not kept for comparison with the next one: its own parse dwarfs the saving. */
const MAX_REMEMBERED_DATA = 4096;

/**
 * The last `data` bytes seen and their serialisation: a logger sends the same object with
 * entry after entry, request after request (`zen-sessions run`: `{"stream":"stdout"}`).
 * A copy, since request bodies are recycled buffers.
 */
let lastData: { bytes: Uint8Array; json: string; dataMaxBytes: number } | null = null;

class BatchScanner {
  /** Where the scan is in `bytes`. */
  private at = 0;
  /** The string just scanned held an escape. */
  private escaped = false;
  /** The entry being read. */
  private message = '';
  private level = INFO;
  private time = NaN;
  private data: string | undefined = undefined;
  private untimed = false;
  /** The last time's text in this body (entries next to each other mostly share it) and its value. */
  private timeStart = 0;
  private timeEnd = -1;
  private timeMs = NaN;
  /** The last entry read in full (from its `{` to past its `}`) and its message's text: see repeatsShape. */
  private shapeStart = 0;
  private shapeEnd = -1;
  private messageStart = 0;
  private messageEnd = 0;

  constructor(
    private readonly bytes: DecodableBuffer,
    private readonly ascii: boolean,
    private readonly limits: EntryLimits,
  ) {}

  /** The batch; the body starts with `{"entries":[`, as scanJsonBatch has checked. */
  batch(): ScannedBatch | null {
    const bytes = this.bytes;
    this.at = BATCH_OPEN.length;
    const batch = emptyBatch();
    if (!this.entries(batch)) return null;
    // Anything after the array (another key, whitespace) is the other path's to judge.
    if (bytes[this.at] !== CLOSE_BRACE || this.at + 1 !== bytes.length) return null;
    return { batch, untimed: this.untimed };
  }

  /** The entries and the `]` that closes them. */
  private entries(batch: EntryBatch): boolean {
    if (this.bytes[this.at] === CLOSE_BRACKET) {
      this.at++;
      return true;
    }
    for (;;) {
      // One more than allowed: the other path answers 413 (or an earlier error) for it.
      if (batch.messages.length >= this.limits.batchMaxEntries || !this.entry()) return false;
      addEntry(batch, this.message, this.level, this.time, this.data);
      const next = this.bytes[this.at++];
      if (next === CLOSE_BRACKET) return true;
      if (next !== COMMA) return false;
    }
  }

  /** One entry object, its values left in the scanner's fields. */
  private entry(): boolean {
    if (this.repeatsShape()) return true;
    const bytes = this.bytes;
    const start = this.at;
    if (bytes[start] !== OPEN_BRACE) return false;
    this.level = INFO;
    this.time = NaN;
    this.data = undefined;
    let seen = 0;
    do {
      this.at++;
      const key = this.key();
      if (key === 0 || (seen & key) !== 0 || !this.value(key)) return false;
      seen |= key;
    } while (bytes[this.at] === COMMA);
    if (bytes[this.at] !== CLOSE_BRACE || (seen & MESSAGE) === 0) return false;
    this.at++;
    if ((seen & TIME) === 0) this.untimed = true;
    this.shapeStart = start;
    this.shapeEnd = this.at;
    return true;
  }

  /**
   * An entry whose bytes before and after its message are the last entry's: the same keys and
   * values but for the message (a logger's entries mostly are, the encoder writing them from one
   * template), so only the message is read and the other fields stay as they are.
   */
  private repeatsShape(): boolean {
    if (this.shapeEnd === -1) return false;
    const start = this.at;
    const messageStart = start + (this.messageStart - this.shapeStart);
    if (!this.sameBytes(start, messageStart, this.shapeStart, this.messageStart)) return false;
    const end = this.stringEnd(messageStart);
    const tail = this.shapeEnd - this.messageEnd;
    if (end === -1 || !this.sameBytes(end, end + tail, this.messageEnd, this.shapeEnd)) return false;
    if (!this.takeMessage(messageStart, end)) return false;
    this.at = end + tail;
    this.shapeStart = start;
    this.shapeEnd = this.at;
    this.messageStart = messageStart;
    this.messageEnd = end;
    return true;
  }

  /** The key's bit, past its colon; 0 for any other key (or one spelt with escapes). */
  private key(): number {
    const known = KEYS[this.bytes[this.at + 1]];
    if (known === undefined || !matchesAt(this.bytes, this.at, known.text)) return 0;
    this.at += known.text.length;
    return known.code;
  }

  private value(key: number): boolean {
    switch (key) {
      case MESSAGE:
        return this.readMessage();
      case LEVEL:
        return this.readLevel();
      case TIME:
        return this.readTime();
      default:
        return this.readData();
    }
  }

  private readMessage(): boolean {
    if (this.bytes[this.at] !== QUOTE) return false;
    const start = this.at + 1;
    const end = this.stringEnd(start);
    if (end === -1 || !this.takeMessage(start, end)) return false;
    this.at = end + 1;
    this.messageStart = start;
    this.messageEnd = end;
    return true;
  }

  /** The message whose text (inside its quotes) is the range, if valid; `escaped` is the range's. */
  private takeMessage(start: number, end: number): boolean {
    const max = this.limits.messageMaxBytes;
    if (!this.escaped) {
      // Valid UTF-8 without escapes: the message is these bytes, and its size is their count.
      if (end - start > max) return false;
      this.message = this.text(start, end);
      return true;
    }
    // Rare: JSON.parse of just this string undoes its escapes exactly as it would in the body.
    const message = parsed(this.text(start - 1, end + 1));
    if (typeof message !== 'string') return false;
    if (message.length * 3 > max && Buffer.byteLength(message) > max) return false;
    this.message = message;
    return true;
  }

  private readLevel(): boolean {
    const known = LEVELS[this.bytes[this.at + 1]];
    if (known === undefined || !matchesAt(this.bytes, this.at, known.text)) return false;
    this.at += known.text.length;
    this.level = known.code;
    return true;
  }

  /** Through parseTime, as on the other path, unless it is the same text as the last time in this body. */
  private readTime(): boolean {
    if (this.bytes[this.at] !== QUOTE) return false;
    const start = this.at + 1;
    const end = this.stringEnd(start);
    if (end === -1 || this.escaped) return false;
    this.at = end + 1;
    if (!this.sameBytes(start, end, this.timeStart, this.timeEnd)) {
      const ms = validTime(this.text(start, end));
      if (Number.isNaN(ms)) return false;
      this.timeStart = start;
      this.timeEnd = end;
      this.timeMs = ms;
    }
    this.time = this.timeMs;
    return true;
  }

  /** Serialised as on the other path (serialiseData, its rules and limit) unless it repeats the last one. */
  private readData(): boolean {
    const start = this.at;
    if (this.bytes[start] !== OPEN_BRACE) return false;
    const end = this.objectEnd(start);
    if (end === -1) return false;
    this.at = end;
    const remembered = lastData;
    if (
      remembered &&
      remembered.dataMaxBytes === this.limits.dataMaxBytes &&
      remembered.bytes.length === end - start &&
      matchesAt(this.bytes, start, remembered.bytes)
    ) {
      this.data = remembered.json;
      return true;
    }
    const json = serialised(parsed(this.text(start, end)), this.limits);
    if (json === undefined) return false;
    if (end - start <= MAX_REMEMBERED_DATA) {
      // A copy: Buffer#slice would be a view of a body whose memory is recycled (request-body.ts).
      const bytes = new Uint8Array(this.bytes.subarray(start, end));
      lastData = { bytes, json, dataMaxBytes: this.limits.dataMaxBytes };
    }
    this.data = json;
    return true;
  }

  /**
   * Where the object starting at `start` ends (just past its `}`), or -1. Only brackets
   * outside strings are counted; whether the object is valid JSON is JSON.parse's to say,
   * and a valid one ends exactly there.
   */
  private objectEnd(start: number): number {
    const bytes = this.bytes;
    let depth = 0;
    let i = start;
    while (i < bytes.length) {
      const byte = bytes[i];
      if (byte === QUOTE) {
        i = this.stringEnd(i + 1);
        if (i === -1) return -1;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (++depth > MAX_DATA_DEPTH) return -1;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }

  /**
   * The index of the quote closing the string whose text starts at `start`, or -1 when it is
   * not a valid JSON string (a raw control character, a bad escape, no end). Sets `escaped`.
   */
  private stringEnd(start: number): number {
    const bytes = this.bytes;
    const length = bytes.length;
    this.escaped = false;
    let i = start;
    while (i < length) {
      const byte = bytes[i];
      // The usual byte first, in one test: neither a quote, a backslash nor a control character.
      if (byte > QUOTE && byte !== BACKSLASH) {
        i++;
      } else if (byte === QUOTE) {
        return i;
      } else if (byte === BACKSLASH) {
        i = escapeEnd(bytes, i);
        if (i === -1) return -1;
        this.escaped = true;
      } else if (byte >= SPACE) {
        i++;
      } else {
        return -1;
      }
    }
    return -1;
  }

  private sameBytes(start: number, end: number, otherStart: number, otherEnd: number): boolean {
    if (end - start !== otherEnd - otherStart || end > this.bytes.length) return false;
    const bytes = this.bytes;
    for (let i = 0; i < end - start; i++) if (bytes[start + i] !== bytes[otherStart + i]) return false;
    return true;
  }

  /** A fresh string of its own (not a slice keeping the body alive); ASCII decodes fastest as latin1. */
  private text(start: number, end: number): string {
    return this.ascii ? this.bytes.latin1Slice(start, end) : this.bytes.utf8Slice(start, end);
  }
}

/** Just past the escape at `at` (a backslash), or -1 when it is not one JSON allows. */
function escapeEnd(bytes: Uint8Array, at: number): number {
  const kind = bytes[at + 1];
  if (at + 1 < bytes.length && SHORT_ESCAPE[kind]) return at + 2;
  if (kind !== 0x75 /* u */ || at + 5 >= bytes.length) return -1;
  for (let i = at + 2; i < at + 6; i++) if (!HEX_DIGIT[bytes[i]]) return -1;
  return at + 6;
}

function matchesAt(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  if (at + expected.length > bytes.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

function byInitial(texts: [string, number][]): ByInitial {
  const table = new Array<{ text: Uint8Array; code: number } | undefined>(256).fill(undefined);
  for (const [text, code] of texts) table[text.charCodeAt(1)] = { text: bytesOf(text), code };
  return table;
}

function tableOf(characters: string): Uint8Array {
  const table = new Uint8Array(256);
  for (const byte of Buffer.from(characters, 'latin1')) table[byte] = 1;
  return table;
}

/** JSON.parse's answer, or undefined where it throws: the other path then reports why. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function validTime(text: string): number {
  try {
    return parseTime(text, '');
  } catch {
    return NaN;
  }
}

function serialised(data: unknown, limits: EntryLimits): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  try {
    return serialiseData(data, '', limits);
  } catch {
    return undefined;
  }
}
