import { containsTextPattern, escapeRegExp } from '@zen/contract';
import { BlockScanner } from './block-scanner';

/** ASCII letters that Unicode case folding also reaches from outside ASCII (k: U+212A KELVIN SIGN, s: U+017F LONG S). */
const FOLDED_FROM_OUTSIDE_ASCII = /[ks]/i;
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
/** A search usually runs over whole logs: scan a whole message block (up to 32 KiB) at a time. */
const SCAN_WINDOW = 64 * 1024;

/**
 * "The message contains `text`, case-insensitively", as the contract's `containsTextPattern` decides
 * it (Unicode simple case folding), tested on a message's UTF-8 bytes in its block.
 *
 * An ASCII `text` is searched in the block's bytes by a RegExp without the `u` flag, which
 * folds ASCII letters only (it never maps a character above 0x7f to one below): on UTF-8
 * bytes that is exactly an ASCII-folded byte search. It answers as the Unicode RegExp does
 * for every message except the non-ASCII ones that could match through a Kelvin sign or a
 * long s; those, and every search for non-ASCII text, go to the Unicode RegExp on the decoded
 * message.
 */
export class TextSearch {
  private readonly unicode: RegExp;
  private readonly bytes: BlockScanner | null;
  private readonly nonAscii: BlockScanner | null;
  private readonly size: number;

  constructor(text: string) {
    this.unicode = containsTextPattern(text);
    const ascii = ASCII.test(text);
    this.bytes = ascii ? new BlockScanner(new RegExp(escapeRegExp(text), 'gi'), SCAN_WINDOW) : null;
    this.nonAscii =
      ascii && FOLDED_FROM_OUTSIDE_ASCII.test(text) ? new BlockScanner(/[\x80-\xff]/g, SCAN_WINDOW) : null;
    this.size = text.length;
  }

  test(block: Buffer, offset: number, length: number): boolean {
    if (!this.bytes) return this.decodedMatches(block, offset, length);
    const end = offset + length;
    const at = this.bytes.firstAtOrAfter(block, offset, end);
    if (at + this.size <= end) return true;
    // A match that runs past the message's end is another message's business; none starts earlier.
    if (!this.nonAscii || this.nonAscii.firstAtOrAfter(block, offset, end) >= end) return false;
    return this.decodedMatches(block, offset, length);
  }

  /**
   * Where in `block` the first match at or after `offset` may start (Infinity: nowhere in the
   * block): a message there that ends before it does not match. For non-ASCII text every
   * message is a candidate; with a Kelvin sign or long s in reach, so is every non-ASCII byte.
   */
  candidateAt(block: Buffer, offset: number): number {
    if (!this.bytes) return offset;
    const at = this.bytes.firstAtOrAfter(block, offset, block.length);
    if (!this.nonAscii) return at;
    return Math.min(at, this.nonAscii.firstAtOrAfter(block, offset, block.length));
  }

  private decodedMatches(block: Buffer, offset: number, length: number): boolean {
    return this.unicode.test(block.toString('utf8', offset, offset + length));
  }
}
