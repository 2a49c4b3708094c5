import { LogFormat } from '@zen/contract';
import { CursorRead, LogStore, PageRead } from './log-store';

/**
 * A read answered as the bytes of the response body, in one of the wire formats
 * (byte-identical to what log-format.ts makes of the same entries): for `json` the whole
 * page document, for `ndjson` and `text` the lines, whose figures go in headers.
 */
export interface EncodedSlice {
  body: Buffer;
  cursor: number;
  dropped: number;
  /** Held entries passing the filter (always for a page; for a cursor read when asked). */
  total?: number;
  /**
   * When present, gives `body`'s memory back to the store for another read (a large body's
   * fresh pages cost more than writing it: memory/body-buffers.ts). Call it once the body has
   * been written out (a response's `finish`), and never use the body after; not calling it
   * is always safe.
   */
  release?: () => void;
}

/**
 * An optional fast path a LogStore may offer beside its interface: a store that keeps its
 * entries encoded writes a read straight into one Buffer instead of handing out entry
 * objects to be serialised. Readers use it when present (`hasEncodedReads`) and the
 * plain `readCursor`/`readPage` otherwise; both answer the same. A store that holds its
 * logs in this process answers at once (and throws at once), without a promise to await.
 */
export interface EncodedReads {
  readCursorEncoded(sessionId: string, read: CursorRead, format: LogFormat): EncodedSlice | Promise<EncodedSlice>;
  readPageEncoded(sessionId: string, read: PageRead, format: LogFormat): EncodedSlice | Promise<EncodedSlice>;
}

export function hasEncodedReads(store: LogStore): store is LogStore & EncodedReads {
  const candidate = store as Partial<EncodedReads>;
  return typeof candidate.readCursorEncoded === 'function' && typeof candidate.readPageEncoded === 'function';
}
