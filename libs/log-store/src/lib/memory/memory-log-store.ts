import { LogFormat } from '@zen/contract';
import { EncodedReads, EncodedSlice } from '../encoded-reads';
import { EntryBatch } from '../entry-batch';
import { LogNotFoundError } from '../errors';
import {
  AppendListener,
  CursorRead,
  CursorSlice,
  LogCounters,
  LogStore,
  LogStoreStats,
  PageRead,
  PageSlice,
  Unsubscribe,
} from '../log-store';
import { Listeners } from './listeners';
import { SessionLog } from './session-log';

/** The default store: every session's log in this process's memory. */
export class MemoryLogStore extends LogStore implements EncodedReads {
  private readonly logs = new Map<string, SessionLog>();
  /** By level code: entries ever appended, and evicted from logs (still held, or deleted since). */
  private readonly appended = [0, 0, 0, 0];
  private readonly evictedFromDeleted = [0, 0, 0, 0];
  private readonly listeners = new Listeners<string, number>();

  constructor(private readonly capacity: number) {
    super();
  }

  async create(sessionId: string): Promise<LogCounters> {
    const log = new SessionLog(this.capacity);
    this.logs.set(sessionId, log);
    return log.counters();
  }

  async delete(sessionId: string): Promise<void> {
    const log = this.logs.get(sessionId);
    if (!log) return;
    this.logs.delete(sessionId);
    addInto(this.evictedFromDeleted, log.evicted);
  }

  async append(sessionId: string, batch: EntryBatch): Promise<LogCounters> {
    const log = this.logOf(sessionId);
    for (const level of batch.levels) this.appended[level]++;
    const counters = log.append(batch);
    if (batch.messages.length > 0 && this.listeners.size > 0) this.listeners.emit(sessionId, counters.logCursor);
    return counters;
  }

  async stats(): Promise<LogStoreStats> {
    const evicted = [...this.evictedFromDeleted];
    for (const log of this.logs.values()) addInto(evicted, log.evicted);
    return { appended: [...this.appended], evicted };
  }

  async readCursor(sessionId: string, read: CursorRead): Promise<CursorSlice> {
    return this.logOf(sessionId).readCursor(read);
  }

  async readPage(sessionId: string, read: PageRead): Promise<PageSlice> {
    return this.logOf(sessionId).readPage(read);
  }

  async readCursorEncoded(sessionId: string, read: CursorRead, format: LogFormat): Promise<EncodedSlice> {
    return this.logOf(sessionId).readCursorEncoded(read, format);
  }

  async readPageEncoded(sessionId: string, read: PageRead, format: LogFormat): Promise<EncodedSlice> {
    return this.logOf(sessionId).readPageEncoded(read, format);
  }

  onAppended(listener: AppendListener): Unsubscribe {
    return this.listeners.add(listener);
  }

  private logOf(sessionId: string): SessionLog {
    const log = this.logs.get(sessionId);
    if (!log) throw new LogNotFoundError(sessionId);
    return log;
  }
}

function addInto(total: number[], counts: readonly number[]): void {
  for (let level = 0; level < total.length; level++) total[level] += counts[level];
}
