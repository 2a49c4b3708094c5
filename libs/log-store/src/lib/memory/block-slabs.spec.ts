import { LEVEL_CODE } from '../entry-batch';
import { MAX_BLOCK, MessageArena, MessageRefs } from './message-arena';
import { MemoryLogStore } from './memory-log-store';
import { BlockSlabs } from './block-slabs';

const FULL = 32 * 1024;

function refs(size: number): MessageRefs {
  return { block: new Uint32Array(size), offset: new Uint16Array(size), length: new Uint32Array(size) };
}

describe('BlockSlabs', () => {
  const KIB = 1024;

  it('carves blocks side by side from one slab, each holding its own bytes', () => {
    const slabs = new BlockSlabs(KIB, 4 * KIB);
    const blocks = [slabs.take(), slabs.take(), slabs.take(), slabs.take()];
    expect(blocks.map((block) => block.length)).toEqual([KIB, KIB, KIB, KIB]);
    expect(new Set(blocks.map((block) => block.buffer)).size).toBe(1);
    expect(blocks.map((block) => block.byteOffset)).toEqual([0, KIB, 2 * KIB, 3 * KIB]);
    blocks.forEach((block, i) => block.fill(i + 1));
    expect(blocks.every((block, i) => block.every((byte) => byte === i + 1))).toBe(true);
    expect(slabs.slabs).toBe(1);
  });

  it('takes a given-back block again, last in first out, before carving a new one', () => {
    const slabs = new BlockSlabs(KIB, 4 * KIB);
    const [a, b] = [slabs.take(), slabs.take()];
    slabs.give(a);
    slabs.give(b);
    expect([slabs.take(), slabs.take()]).toEqual([b, a]);
    expect(slabs.take().byteOffset).toBe(2 * KIB);
  });

  it('starts a new slab when one is carved out, and lets go of a slab whose blocks are all back', () => {
    const slabs = new BlockSlabs(KIB, 2 * KIB);
    const [a, b, c] = [slabs.take(), slabs.take(), slabs.take()];
    expect(c.buffer).not.toBe(a.buffer);
    expect(slabs.slabs).toBe(2);
    slabs.give(a);
    expect([slabs.slabs, slabs.freeBlocks]).toEqual([2, 1]);
    slabs.give(b);
    // a's and b's slab is let go: neither is handed out again.
    expect([slabs.slabs, slabs.freeBlocks]).toEqual([1, 0]);
    const next = slabs.take();
    expect(next.buffer).toBe(c.buffer);
    expect(next.byteOffset).toBe(KIB);
  });

  it('keeps the slab it carves from even when all its blocks are back', () => {
    const slabs = new BlockSlabs(KIB, 4 * KIB);
    const a = slabs.take();
    slabs.give(a);
    expect([slabs.slabs, slabs.freeBlocks]).toEqual([1, 1]);
    expect(slabs.take()).toBe(a);
  });
});

describe('MessageArena with block slabs', () => {
  it('gives its freed full-size blocks back to the slabs and takes its next full-size block from them', () => {
    const slabs = new BlockSlabs(MAX_BLOCK);
    const arena = new MessageArena(slabs);
    const at = refs(40);
    // 8 KiB messages: blocks of 8, 16, then 32 KiB (four messages each); slots 15-18 in the sixth.
    const message = (slot: number) => String(slot % 10).repeat(8 * 1024);
    for (let slot = 0; slot < 19; slot++) arena.put(message(slot), at, slot);
    const fullBlocks = [3, 7, 11].map((slot) => arena.blockOf(at, slot));
    expect(fullBlocks.every((block) => block.length === FULL)).toBe(true);

    arena.releaseBefore(at.block[18]);
    // The 8 and 16 KiB blocks are not the slabs': only full-size ones come from and go back to them.
    expect(slabs.freeBlocks).toBe(3);
    for (let slot = 19; slot < 40; slot++) arena.put(message(slot), at, slot);
    expect(fullBlocks).toContain(arena.blockOf(at, 20));
    expect(slabs.freeBlocks).toBeLessThan(3);
    // A reused block holds the new messages only, whatever it held before.
    for (let slot = 18; slot < 40; slot++) expect(arena.get(at, slot)).toBe(message(slot));
  });

  it('gives back every full-size block when all are freed at once', () => {
    const slabs = new BlockSlabs(MAX_BLOCK);
    const arena = new MessageArena(slabs);
    const at = refs(12);
    for (let slot = 0; slot < 12; slot++) arena.put('m'.repeat(8 * 1024), at, slot);
    arena.releaseAll();
    // Blocks of 8, 16, 32, 32 and 32 KiB.
    expect(slabs.freeBlocks).toBe(3);
    expect(arena.bytes()).toBe(0);
  });
});

describe('MemoryLogStore', () => {
  const line = (i: number) => `entry ${i} `.padEnd(100, 'x');
  const batch = (from: number) => ({
    messages: Array.from({ length: 100 }, (_, i) => line(from + i)),
    levels: new Array<number>(100).fill(LEVEL_CODE.info),
    times: new Array<number>(100).fill(1_764_650_000_000),
    data: null,
  });

  const original = { give: BlockSlabs.prototype.give, take: BlockSlabs.prototype.take };

  /** Watches every store's slabs: which blocks were given back, and whether each block taken was one of them. */
  function watchSlabs() {
    const given = new Set<Buffer>();
    const taken = { fresh: 0, reused: 0 };
    const give = jest.spyOn(BlockSlabs.prototype, 'give').mockImplementation(function (this: BlockSlabs, block) {
      given.add(block);
      original.give.call(this, block);
    });
    const take = jest.spyOn(BlockSlabs.prototype, 'take').mockImplementation(function (this: BlockSlabs) {
      const block = original.take.call(this);
      if (given.has(block)) taken.reused++;
      else taken.fresh++;
      return block;
    });
    return { given, taken, restore: () => (give.mockRestore(), take.mockRestore()) };
  }

  it('allocates no new message blocks for a steady ingest into full logs', async () => {
    const store = new MemoryLogStore(1_000);
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) await store.create(id);
    const slabs = watchSlabs();
    const allocations = jest.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      // Fill well past the capacity: every log has given full-size blocks from its front back.
      for (let round = 0; round < 50; round++) for (const id of ids) store.appendNow(id, batch(round * 100));
      const before = { ...slabs.taken };
      allocations.mockClear();
      for (let round = 50; round < 130; round++) for (const id of ids) store.appendNow(id, batch(round * 100));
      expect(allocations).not.toHaveBeenCalled();
      expect(slabs.taken.fresh).toBe(before.fresh);
      // 80 rounds write 3.2 MB of messages: ~97 full-size blocks, every one a given-back one.
      expect(slabs.taken.reused - before.reused).toBeGreaterThan(90);
    } finally {
      allocations.mockRestore();
      slabs.restore();
    }
    const newest = await store.readCursor('c', { cursor: 12_999 });
    expect(newest.entries.map((entry) => entry.message)).toEqual([line(12_999)]);
    expect(store.heldBytes()).toBeLessThan(4 * 1_000 * 200);
  });

  it("gives a deleted log's blocks back, for the next log to take", async () => {
    const store = new MemoryLogStore(10_000);
    await store.create('a');
    await store.create('b');
    const slabs = watchSlabs();
    try {
      for (let round = 0; round < 20; round++) store.appendNow('a', batch(round * 100));
      expect(slabs.given.size).toBe(0);
      await store.delete('a');
      // 200 KB of messages: blocks of 1–16 KiB, then full-size ones from the slabs.
      expect(slabs.given.size).toBeGreaterThanOrEqual(5);
      for (let round = 0; round < 20; round++) store.appendNow('b', batch(round * 100));
      expect(slabs.taken.reused).toBe(slabs.given.size);
    } finally {
      slabs.restore();
    }
    expect((await store.readCursor('b', { cursor: 1_999 })).entries.map((entry) => entry.message)).toEqual([
      line(1_999),
    ]);
  });
});
