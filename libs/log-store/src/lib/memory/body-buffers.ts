/**
 * The buffers read bodies are written into (and the API reads large append bodies into),
 * recycled once the response is written.
 *
 * A fresh buffer of a megabyte or more comes from new pages of memory (glibc maps blocks this
 * large on their own, and gives them back when freed), and on this project's VM each 4 KiB page
 * costs ~13 µs to fault in the first time it is written: a full-log download of 1.7 MB, written
 * into a fresh 1 MiB buffer grown to 2 MiB, spent ~7 ms of its ~13 ms of CPU in page faults
 * (docs/performance.md, "The page-fault round"). Smaller bodies fault too, less often:
 * glibc gives the top of its heap back once enough is free there, and a tail read's 20 KB body
 * then lands on new pages (about one fault per read, measured). A recycled buffer's pages are in.
 *
 * Only buffers of the pooled sizes (powers of two from MIN_POOLED to MAX_POOLED) are kept, at
 * most MAX_KEPT_BYTES of them: the smallest come from Node's own buffer pool, and the pool never
 * holds more than that, however large the reads. A buffer goes back only once, and only if it was
 * taken here (a second `give` of the same buffer, or a foreign one, is ignored): a body handed
 * to two responses at once would be a wrong answer, so every doubt means "let the GC have it".
 */
export class BodyBuffers {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Taken and not given back: what `give` accepts. */
  private readonly out = new WeakSet<ArrayBuffer>();
  private keptBytes = 0;

  constructor(private readonly maxKeptBytes = MAX_KEPT_BYTES) {}

  /** A buffer of at least `bytes` bytes (more: the next pooled size), its contents undefined. */
  take(bytes: number): Buffer {
    const size = pooledSize(bytes);
    if (size === 0) return Buffer.allocUnsafe(bytes);
    const kept = this.free.get(size)?.pop();
    if (kept) this.keptBytes -= size;
    const memory = kept ?? new ArrayBuffer(size);
    this.out.add(memory);
    return Buffer.from(memory);
  }

  /** Takes back the buffer under `view` (a body written into it), when it came from here and is not back yet. */
  give(view: Uint8Array): void {
    const memory = view.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.out.delete(memory)) return;
    const size = memory.byteLength;
    if (this.keptBytes + size > this.maxKeptBytes) return;
    const list = this.free.get(size) ?? [];
    list.push(memory);
    this.free.set(size, list);
    this.keptBytes += size;
  }

  /** Whether the buffer under `view` was taken here and is not back yet. */
  lent(view: Uint8Array): boolean {
    return view.buffer instanceof ArrayBuffer && this.out.has(view.buffer);
  }

  /** Bytes held for reuse. */
  get kept(): number {
    return this.keptBytes;
  }
}

/** The pooled size a request for `bytes` gets, or 0 when it is not pooled (too small or too large). */
function pooledSize(bytes: number): number {
  if (bytes <= MAX_UNPOOLED || bytes > MAX_POOLED) return 0;
  let size = MIN_POOLED;
  while (size < bytes) size *= 2;
  return size;
}

/** Bodies up to this size come from Node's own pool of small buffers: not pooled here. */
const MAX_UNPOOLED = 4 * 1024;
/** The smallest pooled size. */
const MIN_POOLED = 8 * 1024;
/** Larger bodies are rare (a download of a log of long messages) and not kept. */
const MAX_POOLED = 8 * 1024 * 1024;
/** At most this much memory waits in the pool. */
const MAX_KEPT_BYTES = 16 * 1024 * 1024;

/** The process's pool: every memory store's reads, and the API's large request bodies, share it. */
export const bodyBuffers = new BodyBuffers();
