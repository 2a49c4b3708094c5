import { Injectable } from '@nestjs/common';
import { AppendRateLimit } from './append-rate-limit';
import { LogFormat } from '@zen/contract';
import {
  assertClientWritable,
  CursorRead,
  cursorPageJson,
  EncodedSlice,
  entriesNdjson,
  entriesText,
  EntryBatch,
  hasEncodedReads,
  ImmediateAppends,
  immediateAppends,
  offsetPageJson,
  StoredEntry,
  LogStore,
  PageRead,
  SessionEndedError,
  SessionNotFoundError,
  SessionRecord,
  SessionRegistry,
} from '@zen/log-store';

/**
 * Appends to and reads session logs, keeping each session's counters in step. Who
 * follows appends live listens to the store's own change feed (LogStore.onAppended).
 */
@Injectable()
export class LogsService {
  /** The store's and registry's answer-at-once path (the memory ones), used by appends when offered. */
  private readonly immediate: ImmediateAppends | null;

  constructor(
    private readonly store: LogStore,
    private readonly registry: SessionRegistry,
    private readonly rateLimit: AppendRateLimit,
  ) {
    this.immediate = immediateAppends(store, registry);
  }

  /** The session whose log is read, or 404: at once when the registry can answer so, else as a promise. */
  readable(id: string): SessionRecord | Promise<SessionRecord> {
    if (this.immediate) return readableRecord(id, this.immediate.registry.getNow(id));
    return this.registry.get(id).then((record) => readableRecord(id, record));
  }

  /**
   * The session a client may append to: 404, then 403 for a server's own session, 409 for
   * an ended one. Answered (or thrown) at once when the registry can, else as a promise.
   */
  writable(id: string): SessionRecord | Promise<SessionRecord> {
    if (this.immediate) return writableRecord(id, this.immediate.registry.getNow(id));
    return this.registry.getForAppend(id).then((record) => writableRecord(id, record));
  }

  /**
   * Appends the batch (possibly empty: still a sign of life) and returns the new logCursor,
   * at once when the store and registry can, else as a promise. A client's append passes
   * the append rate limits first, or fails with RateLimitedError having changed nothing;
   * refused after them, it gives back what they counted. The server's own appends are not counted.
   */
  append(id: string, batch: EntryBatch, client?: ClientAppend): number | Promise<number> {
    if (!client) return this.appendNowOrLater(id, batch, undefined);
    const entries = batch.messages.length;
    // A shared store's buckets answer later: the append waits for them (this process's answer at once).
    const checking = this.rateLimit.check(id, client.address, entries);
    const refund = (refused: unknown) => this.refunded(id, client, entries, refused);
    if (checking) return checking.then(() => this.appendLater(id, batch).catch(refund));
    try {
      const appended = this.appendNowOrLater(id, batch, client.session);
      return typeof appended === 'number' ? appended : appended.catch(refund);
    } catch (refused) {
      return refund(refused);
    }
  }

  /** An append past the rate limits (or the server's own, not subject to them), at once when the store and registry can. */
  private appendNowOrLater(id: string, batch: EntryBatch, found: SessionRecord | undefined): number | Promise<number> {
    if (!this.immediate) return this.appendLater(id, batch);
    const { store, registry } = this.immediate;
    // The registry would refuse an ended session once the store had appended: refused first, so
    // that the refused append changes nothing. A client's session is the record its writable()
    // found, not looked up again: records are live, so it shows an end since (a turn or more).
    const session = found ?? registry.getNow(id);
    if (session?.active === false) throw new SessionEndedError(id);
    const counters = store.appendNow(id, batch);
    registry.recordAppendNow(id, counters);
    return counters.logCursor;
  }

  /** A client's append refused after the rate limits counted it (ended meanwhile, a 503): given back. */
  private refunded(id: string, client: ClientAppend, entries: number, refused: unknown): never {
    this.rateLimit.refund(id, client.address, entries);
    throw refused;
  }

  private async appendLater(id: string, batch: EntryBatch): Promise<number> {
    const counters = await this.store.append(id, batch);
    await this.registry.recordAppend(id, counters);
    return counters.logCursor;
  }

  /**
   * A cursor read as the response body in `format`, straight from the store's bytes when it
   * offers that (then at once, for a store that can).
   */
  readCursor(id: string, read: CursorRead, format: LogFormat): ReadBody | Promise<ReadBody> {
    if (hasEncodedReads(this.store)) return this.store.readCursorEncoded(id, read, format);
    return this.readCursorLater(id, read, format);
  }

  private async readCursorLater(id: string, read: CursorRead, format: LogFormat): Promise<ReadBody> {
    const slice = await this.store.readCursor(id, read);
    const body = format === 'json' ? cursorPageJson(slice) : linesOf(slice.entries, format);
    return { body, cursor: slice.cursor, dropped: slice.dropped, total: slice.total };
  }

  /** An offset page as the response body in `format` (see readCursor). */
  readPage(id: string, read: PageRead, format: LogFormat): ReadBody | Promise<ReadBody> {
    if (hasEncodedReads(this.store)) return this.store.readPageEncoded(id, read, format);
    return this.readPageLater(id, read, format);
  }

  private async readPageLater(id: string, read: PageRead, format: LogFormat): Promise<ReadBody> {
    const slice = await this.store.readPage(id, read);
    const body = format === 'json' ? offsetPageJson(slice, read.offset, read.limit) : linesOf(slice.entries, format);
    return { body, cursor: slice.cursor, dropped: 0, total: slice.total };
  }
}

function readableRecord(id: string, record: SessionRecord | undefined): SessionRecord {
  if (!record) throw new SessionNotFoundError(id);
  return record;
}

function writableRecord(id: string, record: SessionRecord | undefined): SessionRecord {
  const found = readableRecord(id, record);
  assertClientWritable(found);
  return found;
}

/** A client's append: its address (for the rate limits) and the session writable() answered for it. */
export interface ClientAppend {
  address: string;
  session: SessionRecord;
}

/** A read's response body with the figures its headers carry. */
export type ReadBody = Omit<EncodedSlice, 'body'> & { body: Buffer | string };

function linesOf(entries: StoredEntry[], format: Exclude<LogFormat, 'json'>): string {
  return format === 'ndjson' ? entriesNdjson(entries) : entriesText(entries);
}
