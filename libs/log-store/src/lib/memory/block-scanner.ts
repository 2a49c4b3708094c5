/**
 * Finds a RegExp's matches in a message block with V8's own string search instead of a
 * JavaScript loop over bytes: a window of the block is read once as a Latin-1 string (one
 * byte, one character, a plain copy) and searched from each message on. Messages of a
 * block are asked for in increasing offsets, so the last match found is reused until the
 * search passes it: a window costs one pass however many messages it holds.
 *
 * The window starts at the first message asked for and spans at least `window` bytes (and
 * always the whole message), so a read of a few messages in the middle of a block copies
 * and searches those, not the whole block.
 */
export class BlockScanner {
  private block: Buffer | null = null;
  private text = '';
  /** The block's bytes [windowStart, windowEnd) are `text`. */
  private windowStart = 0;
  private windowEnd = 0;
  /** No match starts in [searchedFrom, foundAt); foundAt is the first at or after searchedFrom (Infinity: none). */
  private searchedFrom = 0;
  private foundAt = -1;

  /** `pattern` has the `g` flag; it sees each byte as the Latin-1 character of that code. */
  constructor(
    private readonly pattern: RegExp,
    private readonly window: number,
  ) {}

  /**
   * Where the first match at or after `offset` starts in `block` (Infinity if none), for a
   * message that ends at `end`: a match that runs past `end` may be passed over, as if it
   * were not there (the caller has no use for it).
   */
  firstAtOrAfter(block: Buffer, offset: number, end: number): number {
    if (block !== this.block || offset < this.windowStart || end > this.windowEnd) {
      this.block = block;
      this.windowStart = offset;
      this.windowEnd = Math.min(block.length, Math.max(end, offset + this.window));
      this.text = block.toString('latin1', offset, this.windowEnd);
      this.foundAt = -1;
    }
    if (offset < this.searchedFrom || offset > this.foundAt) {
      this.pattern.lastIndex = offset - this.windowStart;
      const match = this.pattern.exec(this.text);
      this.searchedFrom = offset;
      this.foundAt = match ? this.windowStart + match.index : Infinity;
    }
    return this.foundAt;
  }
}
