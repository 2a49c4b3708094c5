/** Longer ranges go through Buffer#copy, whose allocation is then a small part of the work. */
const SHORT = 256;

/**
 * Copies byte ranges of stored blocks into one target Buffer without allocating.
 *
 * Node's Buffer#copy makes a new Uint8Array view of the source range whenever the range
 * does not start at 0 (node:buffer's `_copyActual`, Node 20): once per message on a read,
 * ~10 KB of garbage for a page of 100 entries, a scavenge every ~50 ms under tail reads and
 * the mark-compacts that promotion then brings (docs/performance.md, stop 30). Short ranges
 * are copied four bytes at a time through DataViews instead, which allocate nothing and are
 * faster for a message's ~100 bytes; the source's view is kept while the source stays the
 * same (a read's messages come from a few blocks, in order).
 */
export class ByteCopier {
  private targetView: DataView;
  private source: Buffer | null = null;
  private sourceView: DataView | null = null;

  constructor(private target: Buffer) {
    this.targetView = viewOf(target);
  }

  /** Copies into `target` from now on (a grown buffer). */
  retarget(target: Buffer): void {
    this.target = target;
    this.targetView = viewOf(target);
  }

  /** `source[from, end)` into the target at `at`, which must have room; answers where the copy ends. */
  copy(source: Buffer, from: number, end: number, at: number): number {
    if (end - from > SHORT) return at + source.copy(this.target, at, from, end);
    if (source !== this.source) {
      this.source = source;
      this.sourceView = viewOf(source);
    }
    const from4 = this.sourceView as DataView;
    const into4 = this.targetView;
    let i = from;
    for (; i + 4 <= end; i += 4, at += 4) into4.setUint32(at, from4.getUint32(i));
    const target = this.target;
    for (; i < end; i++) target[at++] = source[i];
    return at;
  }
}

function viewOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
