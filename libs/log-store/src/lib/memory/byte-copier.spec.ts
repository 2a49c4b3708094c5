import { ByteCopier } from './byte-copier';

const source = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff));

describe('ByteCopier', () => {
  it('copies every range exactly, at any alignment of source and target, short and long', () => {
    const target = Buffer.alloc(2048, 0xee);
    const copier = new ByteCopier(target);
    for (const length of [0, 1, 3, 4, 5, 31, 100, 255, 256, 257, 600]) {
      for (const from of [0, 1, 2, 3, 1000, 4096 - length]) {
        for (const at of [0, 1, 3, 777]) {
          target.fill(0xee);
          const end = copier.copy(source, from, from + length, at);
          expect([length, from, at, end]).toEqual([length, from, at, at + length]);
          expect(target.subarray(at, end).equals(source.subarray(from, from + length))).toBe(true);
          // Nothing outside the range is touched.
          expect(target.subarray(0, at).every((byte) => byte === 0xee)).toBe(true);
          expect(target.subarray(end).every((byte) => byte === 0xee)).toBe(true);
        }
      }
    }
  });

  it('reads each new source and writes into the new target after retarget', () => {
    const first = Buffer.alloc(16);
    const copier = new ByteCopier(first);
    copier.copy(Buffer.from('abcdefgh'), 0, 8, 0);
    const grown = Buffer.alloc(32);
    copier.retarget(grown);
    const end = copier.copy(Buffer.from('ijklmnop'), 2, 7, 3);
    expect(grown.toString('latin1', 3, end)).toBe('klmno');
    expect(first.toString('latin1', 0, 8)).toBe('abcdefgh');
  });

  it('copies from Buffers that are slices of a larger pool (their byteOffset counts)', () => {
    const pool = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    const slice = pool.subarray(10, 30);
    const target = Buffer.alloc(8).subarray(2);
    const end = new ByteCopier(target).copy(slice, 1, 6, 0);
    expect(target.toString('latin1', 0, end)).toBe('bcdef');
  });
});
