/** UTF-8 length of a string, without encoding it (Node's Buffer when there, a count of code units otherwise). */
export function utf8Length(text: string): number {
  const buffer = (globalThis as { Buffer?: { byteLength(text: string): number } }).Buffer;
  if (buffer) return buffer.byteLength(text);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (isPairAt(text, i)) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * A surrogate pair starts at `i`: a high surrogate followed by a low one (4 bytes). A lone
 * surrogate, high or low, is written as U+FFFD: 3 bytes, as Node's Buffer and the server count it.
 */
function isPairAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 0xd800 || code >= 0xdc00 || i + 1 >= text.length) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next < 0xe000;
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, never inside a character.
 * A text that fits comes back as the only piece.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  // Each UTF-16 code unit is at most 3 bytes: short strings need no counting.
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const pair = isPairAt(text, i);
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    if (pair) i++;
  }
  pieces.push(text.slice(start));
  return pieces;
}

interface NodeBufferClass {
  prototype: { utf8Slice?(this: Uint8Array, start: number, end: number): string };
}
const utf8Slice = (globalThis as { Buffer?: NodeBufferClass }).Buffer?.prototype.utf8Slice;
let decoder: TextDecoder | undefined;

/** `bytes[start..end)` decoded as UTF-8, an invalid sequence as U+FFFD (Node's Buffer when there). */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (utf8Slice) return utf8Slice.call(bytes, start, end);
  return (decoder ??= new TextDecoder()).decode(bytes.subarray(start, end));
}
