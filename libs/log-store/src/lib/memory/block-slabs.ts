/**
 * The full-size message blocks of a store's logs, carved from slabs of `slabBytes` and
 * given back when freed, for the next block any log needs.
 *
 * Why slabs: a block of its own is a malloc'd chunk among the request bodies and socket
 * buffers that come and go on every append, and their freed remains left holes between
 * the blocks that no block fitted into: ~20 B per held entry of RSS beyond the bytes the
 * logs hold (140 B per 100-byte entry against 120 B counted). A slab of 32 MiB is always
 * its own mapping (above glibc's largest mmap threshold), only the pages of blocks carved so
 * far are resident, and its blocks sit side by side (docs/performance.md, "The run round").
 *
 * Why reuse: each new ArrayBuffer counts as old-generation growth to V8 until a full
 * mark-compact, and a steady ingest into full logs frees about as many bytes from the front
 * as it writes at the end; with freed blocks taken again it allocates none ("The ingest round").
 *
 * A slab whose blocks are all given back is let go (the collector unmaps it), unless it is
 * the one being carved.
 */
export class BlockSlabs {
  /** Given back, taken again last in, first out. */
  private free: Buffer[] = [];
  /** Blocks out (taken and not given back), per slab. */
  private readonly out = new Map<ArrayBufferLike, number>();
  private slab: ArrayBuffer | null = null;
  private carved = 0;

  constructor(
    readonly blockBytes: number,
    readonly slabBytes = 32 * 1024 * 1024,
  ) {}

  /** A block of `blockBytes` (a freed one's bytes are stale). */
  take(): Buffer {
    const block = this.free.pop() ?? this.carve();
    this.out.set(block.buffer, (this.out.get(block.buffer) ?? 0) + 1);
    return block;
  }

  /** Takes `block` back; whoever gives it must no longer read it. */
  give(block: Buffer): void {
    const out = (this.out.get(block.buffer) ?? 0) - 1;
    this.out.set(block.buffer, out);
    this.free.push(block);
    if (out === 0 && block.buffer !== this.slab) this.letGo(block.buffer);
  }

  /** Slabs held (for tests). */
  get slabs(): number {
    return this.out.size;
  }

  /** Blocks given back and not taken again (for tests). */
  get freeBlocks(): number {
    return this.free.length;
  }

  private carve(): Buffer {
    // Only called when no block is free: every block of the current slab is out.
    if (!this.slab || this.carved + this.blockBytes > this.slabBytes) {
      this.slab = new ArrayBuffer(this.slabBytes);
      this.out.set(this.slab, 0);
      this.carved = 0;
    }
    const block = Buffer.from(this.slab, this.carved, this.blockBytes);
    this.carved += this.blockBytes;
    return block;
  }

  private letGo(slab: ArrayBufferLike): void {
    this.out.delete(slab);
    this.free = this.free.filter((block) => block.buffer !== slab);
  }
}
