import type { EntryQueue } from './entry-queue';

/** A batch ready to send: how many entries from the front of the queue, and the request body. */
export interface EncodedBatch {
  count: number;
  body: Uint8Array<ArrayBuffer>;
}

const OPEN = new TextEncoder().encode('{"entries":[');
const CLOSE = new TextEncoder().encode(']}');

/**
 * Makes `{"entries":[...]}` request bodies from the front of an `EntryQueue`, whose entries are
 * JSON already: the envelope around one copy of their bytes, in reused buffers.
 */
export class BatchEncoder {
  /**
   * Two buffers taken in turn: a body stays as it was until the encode after next, and the
   * logger has one request out at a time, so no copy is needed.
   */
  private readonly buffers: Uint8Array<ArrayBuffer>[] = [new Uint8Array(1 << 16), new Uint8Array(1 << 16)];
  private turn = 0;

  /** The longest run from the front of `queue` within `maxEntries` and `maxBytes` (at least one entry). */
  encode(queue: EntryQueue, maxEntries: number, maxBytes: number): EncodedBatch {
    this.turn ^= 1;
    const count = queue.fitting(maxEntries, maxBytes - OPEN.length - CLOSE.length);
    const run = queue.runBytes(count);
    const size = OPEN.length + run + CLOSE.length;
    if (this.buffers[this.turn].length < size) this.buffers[this.turn] = new Uint8Array(Math.max(size, 1 << 16) * 2);
    const body = this.buffers[this.turn];
    body.set(OPEN, 0);
    queue.copyRun(count, body, OPEN.length);
    body.set(CLOSE, OPEN.length + run);
    return { count, body: body.subarray(0, size) };
  }
}

/** The entries of a body `encode` made, as `EntryQueue.putBack` takes them back. */
export function entriesOf(body: Uint8Array): Uint8Array {
  return body.subarray(OPEN.length, body.length - CLOSE.length);
}
