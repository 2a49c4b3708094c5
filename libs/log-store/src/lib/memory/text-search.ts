/** ASCII letters folded to lower case; every other byte as is. */
const FOLD = Uint8Array.from({ length: 256 }, (_, byte) => (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte));
/** ASCII letters that Unicode case folding also reaches from outside ASCII (K: U+212A KELVIN SIGN, S: U+017F LONG S). */
const FOLDED_FROM_OUTSIDE_ASCII = /[ks]/i;

/**
 * "The message contains `text`, case-insensitively", as `new RegExp(escaped, 'iu')` decides
 * it (Unicode simple case folding), tested on a message's UTF-8 bytes. An ASCII `text` is
 * searched byte by byte with ASCII folding, which answers the same as the RegExp on every
 * message except the non-ASCII ones that might match through a Kelvin sign or a long s: those,
 * and every search for non-ASCII text, go to the RegExp on the decoded message.
 */
export class TextSearch {
  private readonly needle: Uint8Array | null;
  private readonly regexp: RegExp;
  private readonly recheckNonAscii: boolean;

  constructor(text: string) {
    this.regexp = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
    // eslint-disable-next-line no-control-regex
    const ascii = /^[\x00-\x7f]*$/.test(text);
    this.needle = ascii ? Uint8Array.from(Buffer.from(text, 'latin1'), (byte) => FOLD[byte]) : null;
    this.recheckNonAscii = FOLDED_FROM_OUTSIDE_ASCII.test(text);
  }

  test(block: Buffer, offset: number, length: number): boolean {
    const needle = this.needle;
    if (!needle) return this.regexp.test(block.toString('utf8', offset, offset + length));
    const size = needle.length;
    const first = needle[0];
    const last = offset + length - size;
    let nonAscii = false;
    for (let i = offset; i <= last; i++) {
      const byte = block[i];
      if (byte >= 0x80) nonAscii = true;
      if (FOLD[byte] !== first) continue;
      let j = 1;
      while (j < size && FOLD[block[i + j]] === needle[j]) j++;
      if (j === size) return true;
    }
    if (!this.recheckNonAscii) return false;
    for (let i = Math.max(offset, last + 1); !nonAscii && i < offset + length; i++) nonAscii = block[i] >= 0x80;
    return nonAscii && this.regexp.test(block.toString('utf8', offset, offset + length));
  }
}
