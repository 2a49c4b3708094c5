/**
 * UTF-8 bytes written as the inside of a JSON string, byte for byte what `JSON.stringify` of the
 * text they decode to would write (in UTF-8), without decoding them: the line a command wrote
 * goes from the pipe's buffer into the queue with no JavaScript string made for it.
 */

/** The most bytes one input byte can take once escaped (a control character: `\u001f`). */
export const MAX_ESCAPED_BYTES_PER_BYTE = 6;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = new TextEncoder().encode('0123456789abcdef');
/** The short escapes JSON.stringify uses for these control characters (the letter after the backslash). */
const SHORT_ESCAPE = new Map<number, number>([
  [0x08, 0x62], // \b
  [0x09, 0x74], // \t
  [0x0a, 0x6e], // \n
  [0x0c, 0x66], // \f
  [0x0d, 0x72], // \r
]);

/**
 * Writes `source[from..to)` into `target` at `at` as a JSON string's contents (no quotes); returns
 * the bytes written, or -1 when the bytes are not valid UTF-8 (what was written is then garbage:
 * the caller decodes them, invalid sequences becoming U+FFFD, and escapes the string instead).
 * `target` needs room for `MAX_ESCAPED_BYTES_PER_BYTE` bytes per input byte.
 *
 * Valid UTF-8 never encodes a surrogate, so the only characters to escape are the ones JSON
 * itself requires: control characters, the quote and the backslash. Everything else, multi-byte
 * characters included, is copied as it is.
 */
export function writeJsonStringBytes(
  source: Uint8Array,
  from: number,
  to: number,
  target: Uint8Array,
  at: number,
): number {
  const start = at;
  let i = from;
  while (i < to) {
    const byte = source[i];
    // Most bytes of most lines: checked and copied in one pass (a check, then a copy, costs twice).
    if (byte >= 0x20 && byte < 0x80 && byte !== QUOTE && byte !== BACKSLASH) {
      target[at++] = byte;
      i++;
    } else if (byte < 0x80) {
      at = writeEscape(byte, target, at);
      i++;
    } else {
      const size = sequenceLength(source, i, to);
      if (size === 0) return -1;
      for (const end = i + size; i < end; i++) target[at++] = source[i];
    }
  }
  return at - start;
}

/** `\"`, `\\`, a short escape such as `\n`, or `\u00XX` (lowercase hex, as JSON.stringify writes it). */
function writeEscape(byte: number, target: Uint8Array, at: number): number {
  target[at++] = BACKSLASH;
  const short = byte === QUOTE || byte === BACKSLASH ? byte : SHORT_ESCAPE.get(byte);
  if (short !== undefined) {
    target[at++] = short;
    return at;
  }
  target[at++] = 0x75; // u
  target[at++] = 0x30;
  target[at++] = 0x30;
  target[at++] = HEX[byte >> 4];
  target[at++] = HEX[byte & 0xf];
  return at;
}

/**
 * The length of the well-formed UTF-8 sequence that starts at `bytes[i]` (a byte ≥ 0x80), or 0
 * when there is none: a stray continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF, or a sequence cut short by `to` (Unicode's table 3-7, which `TextDecoder` follows).
 */
export function sequenceLength(bytes: Uint8Array, i: number, to: number): number {
  const lead = bytes[i];
  if (lead < 0xc2 || lead > 0xf4) return 0;
  if (lead < 0xe0) return i + 1 < to && isContinuation(bytes[i + 1]) ? 2 : 0;
  // The second byte's range is narrower after these leads (no overlong forms, surrogates or > U+10FFFF).
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  const second = bytes[i + 1];
  if (i + 1 >= to || second < low || second > high) return 0;
  if (lead < 0xf0) return i + 2 < to && isContinuation(bytes[i + 2]) ? 3 : 0;
  return i + 3 < to && isContinuation(bytes[i + 2]) && isContinuation(bytes[i + 3]) ? 4 : 0;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
