import { EntryBatch } from './entry-batch';
import { CursorRead, CursorSlice, LogCounters, LogStore, PageRead, PageSlice } from './log-store';
import { SessionLog } from './session-log';

/** The default store: every session's log in this process's memory. */
export class MemoryLogStore extends LogStore {
  private readonly logs = new Map<string, SessionLog>();

  constructor(private readonly capacity: number) {
    super();
  }

  async create(sessionId: string): Promise<LogCounters> {
    const log = new SessionLog(this.capacity);
    this.logs.set(sessionId, log);
    return log.counters();
  }

  async delete(sessionId: string): Promise<void> {
    this.logs.delete(sessionId);
  }

  async append(sessionId: string, batch: EntryBatch): Promise<LogCounters | undefined> {
    return this.logs.get(sessionId)?.append(batch);
  }

  async readCursor(sessionId: string, read: CursorRead): Promise<CursorSlice | undefined> {
    return this.logs.get(sessionId)?.readCursor(read);
  }

  async readPage(sessionId: string, read: PageRead): Promise<PageSlice | undefined> {
    return this.logs.get(sessionId)?.readPage(read);
  }
}
