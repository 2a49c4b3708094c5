import { BodyBuffers } from './body-buffers';

const MiB = 1024 * 1024;

describe('BodyBuffers', () => {
  it('gives a large body the memory of one written out before, and rounds up to a pooled size', () => {
    const buffers = new BodyBuffers();
    const first = buffers.take(700_000);
    expect(first.length).toBe(MiB);
    buffers.give(first.subarray(0, 10));
    const second = buffers.take(MiB);
    expect(second.buffer).toBe(first.buffer);
    expect(buffers.lent(second)).toBe(true);
  });

  it('never hands one buffer to two bodies: a second give, or one of a buffer it did not lend, is ignored', () => {
    const buffers = new BodyBuffers();
    const body = buffers.take(200_000);
    buffers.give(body);
    buffers.give(body);
    buffers.give(Buffer.alloc(256 * 1024));
    const a = buffers.take(200_000);
    const b = buffers.take(200_000);
    expect(a.buffer).toBe(body.buffer);
    expect(b.buffer).not.toBe(body.buffer);
    expect(b.length).toBe(256 * 1024);
  });

  it('leaves small and very large bodies to the allocator', () => {
    const buffers = new BodyBuffers();
    const small = buffers.take(4 * 1024);
    const huge = buffers.take(9 * MiB);
    expect([buffers.lent(small), buffers.lent(huge)]).toEqual([false, false]);
    buffers.give(small);
    buffers.give(huge);
    expect(buffers.kept).toBe(0);
  });

  it('keeps at most its bound, however many bodies come back', () => {
    const buffers = new BodyBuffers(3 * MiB);
    const taken = Array.from({ length: 5 }, () => buffers.take(MiB));
    for (const body of taken) buffers.give(body);
    expect(buffers.kept).toBe(3 * MiB);
  });
});
