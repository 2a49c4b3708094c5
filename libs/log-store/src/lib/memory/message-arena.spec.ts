import { MessageArena, MessageRefs } from './message-arena';

function refs(size: number): MessageRefs {
  return { block: new Uint32Array(size), offset: new Uint16Array(size), length: new Uint32Array(size) };
}

describe('MessageArena', () => {
  it('gives back every message as written, multi-byte characters included', () => {
    const arena = new MessageArena();
    const at = refs(4);
    const messages = ['plain', 'héllo wörld', '日本語のログ', 'emoji 🎮 ok'];
    messages.forEach((message, slot) => arena.put(message, at, slot));
    expect(messages.map((_, slot) => arena.get(at, slot))).toEqual(messages);
    expect(at.length[1]).toBe(Buffer.byteLength('héllo wörld'));
  });

  it('stores an empty message as the first of a log', () => {
    const arena = new MessageArena();
    const at = refs(2);
    arena.put('', at, 0);
    arena.put('next', at, 1);
    expect([arena.get(at, 0), arena.get(at, 1)]).toEqual(['', 'next']);
  });

  it('stores an unpaired surrogate as U+FFFD', () => {
    const arena = new MessageArena();
    const at = refs(1);
    arena.put('a\ud800b', at, 0);
    expect(arena.get(at, 0)).toBe('a\ufffdb');
  });

  it('gives a message larger than a block a block of its own', () => {
    const arena = new MessageArena();
    const at = refs(3);
    const big = 'x'.repeat(200_000);
    arena.put('small', at, 0);
    arena.put(big, at, 1);
    arena.put('after', at, 2);
    expect([arena.get(at, 0), arena.get(at, 1), arena.get(at, 2)]).toEqual(['small', big, 'after']);
    expect(at.block[1]).toBe(at.block[0] + 1);
  });

  it('keeps every offset within 16 bits: an empty message after a full block starts the next block', () => {
    const arena = new MessageArena();
    const at = refs(40);
    // Blocks of 1, 2, 4, ... 32 KiB, each filled to the byte by messages of its own size, then empty messages.
    let slot = 0;
    for (let size = 1024; size <= 32 * 1024; size *= 2) arena.put('m'.repeat(size), at, slot++);
    arena.put('', at, slot++);
    arena.put('', at, slot++);
    arena.put('after', at, slot++);
    for (let i = 0; i < slot; i++) expect(at.offset[i]).toBe(0);
    expect(arena.get(at, slot - 3)).toBe('');
    expect(arena.get(at, slot - 1)).toBe('after');
    expect(at.block[slot - 3]).toBe(at.block[slot - 4] + 1);
  });

  it('grows its blocks geometrically and frees the ones before the oldest held message', () => {
    const arena = new MessageArena();
    const at = refs(2000);
    const line = 'y'.repeat(100);
    for (let slot = 0; slot < 2000; slot++) arena.put(line, at, slot);
    const allBytes = arena.bytes();
    expect(allBytes).toBeGreaterThanOrEqual(200_000);
    // Less than twice what the messages need: no block is much emptier than its successor.
    expect(allBytes).toBeLessThan(2 * 200_000);
    arena.releaseBefore(at.block[1990]);
    expect(arena.bytes()).toBeLessThanOrEqual(64 * 1024 * 2);
    expect(arena.get(at, 1999)).toBe(line);
    expect(arena.get(at, 1990)).toBe(line);
  });
});
