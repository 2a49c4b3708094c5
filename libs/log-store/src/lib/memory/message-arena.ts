import { BlockSlabs } from './block-slabs';

/**
 * Smallest and largest block sizes: small logs stay small, big ones free memory in steps. A log
 * holds on average half a block more than its messages (the newest block's free end).
 */
const MIN_BLOCK = 1024;
export const MAX_BLOCK = 32 * 1024;

/** Where each held message's bytes are, per ring slot. */
export interface MessageRefs {
  /** Number of the block (counting from the log's first block ever). */
  block: Uint32Array;
  /** Within the block: below 65,536, as a block holding more than one message is at most MAX_BLOCK bytes. */
  offset: Uint16Array;
  /** In UTF-8 bytes. */
  length: Uint32Array;
}

/**
 * One log's messages as UTF-8 bytes, packed into blocks that are appended at the end
 * and freed from the front as entries are evicted. A message costs its bytes plus
 * 10 bytes of refs, and no object on the JavaScript heap: nothing for the garbage
 * collector to trace, however many entries a server holds. (A JS string would cost
 * 16 bytes of header and a pointer, and the heap's slack on top.)
 * Unpaired UTF-16 surrogates cannot be encoded and are stored as U+FFFD.
 */
export class MessageArena {
  private readonly blocks: Buffer[] = [];
  /** Number of `blocks[0]`. */
  private firstBlock = 0;
  /** Bytes used in the last block. */
  private fill = 0;
  /** Bytes of all blocks held. */
  private held = 0;

  /** `slabs`: where full-size blocks come from and freed ones go (the store's, shared by its logs). */
  constructor(private readonly slabs: BlockSlabs | null = null) {}

  put(message: string, refs: MessageRefs, slot: number): void {
    let block = this.blocks[this.blocks.length - 1];
    // A UTF-16 unit is at most 3 UTF-8 bytes: try the cheap bound before measuring.
    const room = block ? block.length - this.fill : 0;
    // A full block takes nothing more, not even an empty message: its offset would not fit 16 bits.
    if (!block || room === 0 || (message.length * 3 > room && Buffer.byteLength(message) > room)) {
      block = this.newBlock(Buffer.byteLength(message));
    }
    const length = block.write(message, this.fill);
    refs.block[slot] = this.firstBlock + this.blocks.length - 1;
    refs.offset[slot] = this.fill;
    refs.length[slot] = length;
    this.fill += length;
  }

  get(refs: MessageRefs, slot: number): string {
    const offset = refs.offset[slot];
    return this.blocks[refs.block[slot] - this.firstBlock].toString('utf8', offset, offset + refs.length[slot]);
  }

  /** The block holding the slot's message (its bytes are at `refs.offset[slot]`, `refs.length[slot]` long). */
  blockOf(refs: MessageRefs, slot: number): Buffer {
    return this.blocks[refs.block[slot] - this.firstBlock];
  }

  /** Frees the blocks before `block` (the block of the oldest message still held). */
  releaseBefore(block: number): void {
    while (this.firstBlock < block && this.blocks.length > 1) {
      const freed = this.blocks.shift() as Buffer;
      this.held -= freed.length;
      this.firstBlock++;
      this.recycle(freed);
    }
  }

  /** Frees every block (no message is held any more); the next message starts a new one. */
  releaseAll(): void {
    for (const freed of this.blocks) this.recycle(freed);
    this.firstBlock += this.blocks.length;
    this.blocks.length = 0;
    this.held = 0;
    this.fill = 0;
  }

  /** Bytes held in blocks. */
  bytes(): number {
    return this.held;
  }

  private recycle(freed: Buffer): void {
    if (this.slabs && freed.length === MAX_BLOCK) this.slabs.give(freed);
  }

  private newBlock(needed: number): Buffer {
    const last = this.blocks[this.blocks.length - 1];
    const size = Math.max(needed, Math.min(MAX_BLOCK, last ? last.length * 2 : MIN_BLOCK));
    // A full-size one from the store's slabs; a smaller one not from Node's shared pool (a pooled
    // slice would keep its whole pool alive).
    const block = size === MAX_BLOCK && this.slabs ? this.slabs.take() : Buffer.allocUnsafeSlow(size);
    this.blocks.push(block);
    this.held += size;
    this.fill = 0;
    return block;
  }
}
