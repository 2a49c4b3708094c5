import { LOG_LEVELS } from '@zen/contract';
import { BlockScanner } from './block-scanner';
import { ByteCopier } from './byte-copier';
import { bodyBuffers } from './body-buffers';
import { LEVEL_MASK, PLAIN, SCANNED } from './slot-kinds';
import { ISO_TIME_LENGTH, isoTimes } from '../iso-times';

const LEVEL_JSON = LOG_LEVELS.map((level) => Buffer.from(`","level":"${level}","message":"`));
const LEVEL_TEXT = LOG_LEVELS.map((level) => Buffer.from(` ${level.toUpperCase()} `));
/** How JSON.stringify writes each byte below 0x20 and the two it escapes; 0: as is. */
const JSON_ESCAPES: (Buffer | 0)[] = Array.from({ length: 256 }, (_, byte) => {
  if (byte >= 0x20 && byte !== 0x22 && byte !== 0x5c) return 0;
  return Buffer.from(JSON.stringify(String.fromCharCode(byte)).slice(1, -1));
});
const SEQ_KEY = Buffer.from('{"seq":');
const TIME_KEY = Buffer.from(',"time":"');
/** Up to this many bytes, a loop in JavaScript beats a call into C++ (Buffer#write). */
const SMALL = 32;
/** Bytes of a message block scanned at a time for what to escape: a page of ~100 messages, not the whole 32 KiB block. */
const SCAN_WINDOW = 8 * 1024;

/**
 * Writes log entries in the wire formats (see log-format.ts, which it matches byte for
 * byte) from their stored parts straight into one growing Buffer: messages are copied as
 * UTF-8 bytes, escaped on the way where needed, and times are formatted without a Date (iso-times.ts).
 */
export class EntryEncoder {
  private out: Buffer;
  private at = 0;
  // eslint-disable-next-line no-control-regex
  private readonly toEscape = new BlockScanner(/["\\\x00-\x1f]/g, SCAN_WINDOW);
  private readonly lineBreaks = new BlockScanner(/[\r\n]/g, SCAN_WINDOW);
  private readonly copier: ByteCopier;

  constructor(
    sizeHint: number,
    private readonly buffers = bodyBuffers,
  ) {
    this.out = buffers.take(Math.max(256, sizeHint));
    this.copier = new ByteCopier(this.out);
  }

  /** The body written so far (a view of the encoder's buffer). */
  body(): Buffer {
    return this.out.subarray(0, this.at);
  }

  /**
   * What gives the encoder's buffer back for another read (the body must not be used after it
   * runs), or undefined when the buffer is not the pool's: nothing for a small read to wait for.
   */
  releaser(): (() => void) | undefined {
    const out = this.out;
    return this.buffers.lent(out) ? () => this.buffers.give(out) : undefined;
  }

  ascii(text: string): void {
    const length = text.length;
    this.reserve(length);
    if (length > SMALL) {
      this.at += this.out.write(text, this.at, 'latin1');
      return;
    }
    // A few bytes are cheaper written from JavaScript than through a call into C++.
    const out = this.out;
    let at = this.at;
    for (let i = 0; i < length; i++) out[at++] = text.charCodeAt(i);
    this.at = at;
  }

  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.at += this.out.write(text, this.at, 'utf8');
  }

  /**
   * One entry as a JSON object (as entryJson writes it). `kind` is the slot's level byte
   * (slot-kinds.ts); answers it with what this write learned of the message.
   */
  json(seq: number, time: number, kind: number, block: Buffer, offset: number, length: number, data?: string): number {
    this.bytes(SEQ_KEY);
    this.integer(seq);
    this.bytes(TIME_KEY);
    this.time(time);
    this.bytes(LEVEL_JSON[kind & LEVEL_MASK]);
    kind = this.jsonString(block, offset, length, kind);
    if (data === undefined) this.ascii('"}');
    else {
      this.ascii('","data":');
      this.utf8(data);
      this.ascii('}');
    }
    return kind;
  }

  /** One `<time> <LEVEL> <message>` line (as entriesText writes it); `kind` as for json(). */
  text(time: number, kind: number, block: Buffer, offset: number, length: number): number {
    this.time(time);
    this.bytes(LEVEL_TEXT[kind & LEVEL_MASK]);
    const end = offset + length;
    if (!(kind & SCANNED)) kind |= SCANNED | (this.toEscape.firstAtOrAfter(block, offset, end) < end ? 0 : PLAIN);
    if (kind & PLAIN) {
      this.copy(block, offset, end);
      this.ascii('\n');
      return kind;
    }
    this.reserve(length * 2 + 1);
    const out = this.out;
    let at = this.at;
    let from = offset;
    for (
      let i = this.lineBreaks.firstAtOrAfter(block, from, end);
      i < end;
      i = this.lineBreaks.firstAtOrAfter(block, from, end)
    ) {
      at = this.copier.copy(block, from, i, at);
      out[at++] = 0x5c;
      out[at++] = 0x6e;
      from = block[i] === 0x0d && i + 1 < end && block[i + 1] === 0x0a ? i + 2 : i + 1;
    }
    at = this.copier.copy(block, from, end, at);
    out[at++] = 0x0a;
    this.at = at;
    return kind;
  }

  /** The message's bytes, JSON-escaped where needed; answers `kind` with what was learned (see json()). */
  private jsonString(block: Buffer, offset: number, length: number, kind: number): number {
    const end = offset + length;
    if (kind & PLAIN) {
      this.copy(block, offset, end);
      return kind;
    }
    let i = this.toEscape.firstAtOrAfter(block, offset, end);
    if (!(kind & SCANNED)) {
      kind |= SCANNED;
      if (i >= end) {
        this.copy(block, offset, end);
        return kind | PLAIN;
      }
    }
    this.reserve(length * 6);
    const out = this.out;
    let at = this.at;
    let from = offset;
    for (; i < end; i = this.toEscape.firstAtOrAfter(block, from, end)) {
      at = this.copier.copy(block, from, i, at);
      at += (JSON_ESCAPES[block[i]] as Buffer).copy(out, at);
      from = i + 1;
    }
    at = this.copier.copy(block, from, end, at);
    this.at = at;
    return kind;
  }

  private copy(block: Buffer, from: number, end: number): void {
    this.reserve(end - from);
    this.at = this.copier.copy(block, from, end, this.at);
  }

  private bytes(bytes: Buffer): void {
    const length = bytes.length;
    this.reserve(length);
    const out = this.out;
    let at = this.at;
    for (let i = 0; i < length; i++) out[at++] = bytes[i];
    this.at = at;
  }

  /** A non-negative safe integer in decimal (a `seq`). */
  private integer(value: number): void {
    this.reserve(16);
    const out = this.out;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.at + digits;
    this.at = at;
    for (let rest = value; digits-- > 0; rest = Math.floor(rest / 10)) out[--at] = 0x30 + (rest % 10);
  }

  /** `YYYY-MM-DDTHH:MM:SS.mmmZ`, as Date.prototype.toISOString writes it. */
  private time(ms: number): void {
    if (!isoTimes.writes(ms)) return this.ascii(new Date(ms).toISOString());
    this.reserve(ISO_TIME_LENGTH);
    this.at = isoTimes.write(this.out, this.at, ms);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.out.length) return;
    const grown = this.buffers.take(Math.max(this.out.length * 2, this.at + bytes));
    this.out.copy(grown, 0, 0, this.at);
    this.buffers.give(this.out);
    this.out = grown;
    this.copier.retarget(grown);
  }
}
