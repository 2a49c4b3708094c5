import { LEVEL_CODE } from '../entry-batch';
import { MessageArena, MessageRefs } from './message-arena';
import { MemoryLogStore } from './memory-log-store';
import { SpareBlocks } from './spare-blocks';

const FULL = 32 * 1024;

function refs(size: number): MessageRefs {
  return { block: new Uint32Array(size), offset: new Uint16Array(size), length: new Uint32Array(size) };
}

describe('SpareBlocks', () => {
  it('keeps at most `max` blocks, and gives them back last in, first out', () => {
    const spares = new SpareBlocks(2);
    const [a, b, c] = [Buffer.alloc(FULL), Buffer.alloc(FULL), Buffer.alloc(FULL)];
    spares.give(a);
    spares.give(b);
    spares.give(c);
    expect(spares.count).toBe(2);
    expect([spares.take(), spares.take(), spares.take()]).toEqual([b, a, undefined]);
  });
});

describe('MessageArena with spare blocks', () => {
  it('gives its freed full-size blocks to the spares and takes its next full-size block from them', () => {
    const spares = new SpareBlocks(8);
    const arena = new MessageArena(spares);
    const at = refs(40);
    // 8 KiB messages: blocks of 8, 16, then 32 KiB (four messages each); slots 15-18 in the sixth.
    const message = (slot: number) => String(slot % 10).repeat(8 * 1024);
    for (let slot = 0; slot < 19; slot++) arena.put(message(slot), at, slot);
    const fullBlocks = [3, 7, 11].map((slot) => arena.blockOf(at, slot));
    expect(fullBlocks.every((block) => block.length === FULL)).toBe(true);

    arena.releaseBefore(at.block[18]);
    // The 8 and 16 KiB blocks are not kept: only full-size ones are ever asked for again.
    expect(spares.count).toBe(3);
    for (let slot = 19; slot < 40; slot++) arena.put(message(slot), at, slot);
    expect(fullBlocks).toContain(arena.blockOf(at, 20));
    expect(spares.count).toBeLessThan(3);
    // A reused block holds the new messages only, whatever it held before.
    for (let slot = 18; slot < 40; slot++) expect(arena.get(at, slot)).toBe(message(slot));
  });

  it('gives back every full-size block when all are freed at once', () => {
    const spares = new SpareBlocks(8);
    const arena = new MessageArena(spares);
    const at = refs(12);
    for (let slot = 0; slot < 12; slot++) arena.put('m'.repeat(8 * 1024), at, slot);
    arena.releaseAll();
    // Blocks of 8, 16, 32, 32 and 32 KiB.
    expect(spares.count).toBe(3);
    expect(arena.bytes()).toBe(0);
  });
});

describe('MemoryLogStore', () => {
  it('allocates no new message blocks for a steady ingest into full logs', async () => {
    const store = new MemoryLogStore(1_000);
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) await store.create(id);
    const line = (i: number) => `entry ${i} `.padEnd(100, 'x');
    const batch = (from: number) => ({
      messages: Array.from({ length: 100 }, (_, i) => line(from + i)),
      levels: new Array<number>(100).fill(LEVEL_CODE.info),
      times: new Array<number>(100).fill(1_764_650_000_000),
      data: null,
    });
    // Fill well past the capacity: every log has freed full-size blocks from its front, and the
    // spares have as many as the logs need at once.
    for (let round = 0; round < 50; round++) for (const id of ids) store.appendNow(id, batch(round * 100));
    const allocations = jest.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      for (let round = 50; round < 130; round++) for (const id of ids) store.appendNow(id, batch(round * 100));
      expect(allocations).not.toHaveBeenCalled();
    } finally {
      allocations.mockRestore();
    }
    const newest = await store.readCursor('c', { cursor: 12_999 });
    expect(newest.entries.map((entry) => entry.message)).toEqual([line(12_999)]);
    expect(store.heldBytes()).toBeLessThan(4 * 1_000 * 200);
  });
});
