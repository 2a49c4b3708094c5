import { Injectable } from '@nestjs/common';
import {
  assertClientWritable,
  CursorRead,
  CursorSlice,
  EntryBatch,
  LogStore,
  PageRead,
  PageSlice,
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
  constructor(
    private readonly store: LogStore,
    private readonly registry: SessionRegistry,
  ) {}

  /** The session whose log is read, or 404. */
  async readable(id: string): Promise<SessionRecord> {
    const record = await this.registry.get(id);
    if (!record) throw new SessionNotFoundError(id);
    return record;
  }

  /** The session a client may append to: 404, then 403 for a server's own session, 409 for an ended one. */
  async writable(id: string): Promise<SessionRecord> {
    const record = await this.registry.get(id);
    if (!record) throw new SessionNotFoundError(id);
    assertClientWritable(record);
    return record;
  }

  /** Appends the batch (possibly empty: still a sign of life) and returns the new logCursor. */
  async append(id: string, batch: EntryBatch): Promise<number> {
    const counters = await this.store.append(id, batch);
    await this.registry.recordAppend(id, counters);
    return counters.logCursor;
  }

  readCursor(id: string, read: CursorRead): Promise<CursorSlice> {
    return this.store.readCursor(id, read);
  }

  readPage(id: string, read: PageRead): Promise<PageSlice> {
    return this.store.readPage(id, read);
  }
}
