/**
 * Message blocks that logs freed, kept for the next log that needs one: shared by the logs
 * of a store. Once logs are full, every append frees about as many bytes from the front as
 * it writes at the end, so a freed block is taken again within a few appends.
 *
 * Why not let the collector have it: each block is an ArrayBuffer outside the JavaScript
 * heap, and V8 counts new ones as old-generation growth until a full mark-compact frees the
 * dropped ones. Ingest then paid for a mark-compact of the whole heap every few hundred
 * batches; in the API, whose heap holds the framework, that cost more per appended entry
 * than parsing it (docs/performance.md, "The ingest round"). With blocks reused, a steady
 * ingest allocates no new blocks at all.
 *
 * Bounded (`max` blocks, the rest go to the collector), so that the memory budget's evictions
 * still give memory back; a deleted log's blocks go to the collector directly.
 */
export class SpareBlocks {
  private readonly blocks: Buffer[] = [];

  /** `max`: blocks kept at most. The arena gives and takes only full-size blocks (MAX_BLOCK). */
  constructor(readonly max: number) {}

  /** A freed block (its bytes are stale), or undefined when none is kept. */
  take(): Buffer | undefined {
    return this.blocks.pop();
  }

  /** Keeps `block` for reuse if there is room; whoever gives it must no longer read it. */
  give(block: Buffer): void {
    if (this.blocks.length < this.max) this.blocks.push(block);
  }

  /** Blocks kept now. */
  get count(): number {
    return this.blocks.length;
  }
}
