/**
 * Finds a RegExp's matches in a message block with V8's own string search instead of a
 * JavaScript loop over bytes: the block is read once as a Latin-1 string (one byte, one
 * character, a plain copy) and searched from each message on. Messages of a block are
 * asked for in increasing offsets, so the last match found is reused until the search
 * passes it: a whole block costs one pass however many messages it holds.
 */
export class BlockScanner {
  private block: Buffer | null = null;
  private text = '';
  /** No match starts in [searchedFrom, foundAt); foundAt is the first at or after searchedFrom (Infinity: none). */
  private searchedFrom = 0;
  private foundAt = -1;

  /** `pattern` has the `g` flag; it sees each byte as the Latin-1 character of that code. */
  constructor(private readonly pattern: RegExp) {}

  /** Where the first match at or after `offset` starts in `block` (Infinity if none). */
  firstAtOrAfter(block: Buffer, offset: number): number {
    if (block !== this.block) {
      this.block = block;
      this.text = block.toString('latin1');
      this.foundAt = -1;
    }
    if (offset < this.searchedFrom || offset > this.foundAt) {
      this.pattern.lastIndex = offset;
      const match = this.pattern.exec(this.text);
      this.searchedFrom = offset;
      this.foundAt = match ? match.index : Infinity;
    }
    return this.foundAt;
  }
}
