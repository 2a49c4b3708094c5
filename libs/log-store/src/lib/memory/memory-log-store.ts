import { LogFormat } from '@zen/contract';
import { EncodedReads, EncodedSlice } from '../encoded-reads';
import { ImmediateLogStore } from '../immediate-appends';
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
import { MemoryBudget } from '../stores';
import { Listeners } from '../listeners';
import { SessionLog } from './session-log';
import { BlockSlabs } from './block-slabs';
import { MAX_BLOCK } from './message-arena';

/** The default store: every session's log in this process's memory. */
export class MemoryLogStore extends LogStore implements EncodedReads, ImmediateLogStore {
  private readonly logs = new Map<string, SessionLog>();
  /** By level code: entries ever appended, and evicted from logs (still held, or deleted since). */
  private readonly appended = [0, 0, 0, 0];
  private readonly evictedFromDeleted = [0, 0, 0, 0];
  private readonly listeners = new Listeners<string, number>();
  private readonly trimListeners = new Listeners<string, LogCounters>();
  /** Bytes all logs hold (SessionLog.heldBytes, summed). */
  private held = 0;
  /** Logs of ended sessions, earliest ended first: the budget's first victims. */
  private readonly endedLogs = new Set<string>();
  /** Shared by the logs: full-size blocks side by side, freed ones taken again (block-slabs.ts). */
  private readonly slabs = new BlockSlabs(MAX_BLOCK);

  constructor(
    private readonly capacity: number,
    readonly budget: MemoryBudget | null = null,
  ) {
    super();
  }

  async create(sessionId: string): Promise<LogCounters> {
    const log = new SessionLog(this.capacity, this.slabs);
    this.logs.set(sessionId, log);
    this.held += log.heldBytes();
    return log.counters();
  }

  async delete(sessionId: string): Promise<void> {
    const log = this.logs.get(sessionId);
    if (!log) return;
    this.logs.delete(sessionId);
    this.endedLogs.delete(sessionId);
    this.held -= log.heldBytes();
    addInto(this.evictedFromDeleted, log.evicted);
    log.release();
  }

  async append(sessionId: string, batch: EntryBatch): Promise<LogCounters> {
    return this.appendNow(sessionId, batch);
  }

  appendNow(sessionId: string, batch: EntryBatch): LogCounters {
    const log = this.logOf(sessionId);
    for (const level of batch.levels) this.appended[level]++;
    const before = log.heldBytes();
    log.append(batch);
    this.held += log.heldBytes() - before;
    if (this.budget && this.held > this.budget.bytes) this.enforceBudget(this.budget, sessionId);
    const counters = log.counters();
    if (batch.messages.length > 0 && this.listeners.size > 0) this.listeners.emit(sessionId, counters.logCursor);
    return counters;
  }

  /** The session has ended: its log is among the first the memory budget evicts from. */
  ended(sessionId: string): void {
    if (this.logs.has(sessionId)) this.endedLogs.add(sessionId);
  }

  /** Bytes all logs hold now, as the memory budget counts them. */
  heldBytes(): number {
    return this.held;
  }

  /**
   * Called when the memory budget evicted entries of a log other than the one appended to
   * (whose counters the append answers), with that log's counters after the eviction.
   */
  onTrimmed(listener: (sessionId: string, counters: LogCounters) => void): Unsubscribe {
    return this.trimListeners.add(listener);
  }

  /**
   * Evicts oldest-first until the logs fit the budget: a block at a time from ended
   * sessions' logs (earliest ended first), then from the largest log, keeping the newest
   * `floorEntries` of every active session. Stops there if that is still too much.
   */
  private enforceBudget(budget: MemoryBudget, appendedTo: string): void {
    const trimmed = new Set<string>();
    while (this.held > budget.bytes) {
      const victim = this.endedVictim() ?? this.largestLog(budget.floorEntries);
      if (!victim) break;
      const [id, log, keep] = victim;
      const before = log.heldBytes();
      if (log.evictOldestBlock(keep) === 0) break;
      this.held += log.heldBytes() - before;
      if (id !== appendedTo) trimmed.add(id);
    }
    for (const id of trimmed) {
      const log = this.logs.get(id);
      if (log) this.trimListeners.emit(id, log.counters());
    }
  }

  private endedVictim(): [string, SessionLog, number] | null {
    for (const id of this.endedLogs) {
      const log = this.logs.get(id);
      if (log && log.counters().logCount > 0) return [id, log, 0];
    }
    return null;
  }

  private largestLog(floor: number): [string, SessionLog, number] | null {
    let largest: [string, SessionLog, number] | null = null;
    let largestBytes = 0;
    for (const [id, log] of this.logs) {
      if (this.endedLogs.has(id) || log.counters().logCount <= floor) continue;
      const bytes = log.heldBytes();
      if (bytes > largestBytes) {
        largest = [id, log, floor];
        largestBytes = bytes;
      }
    }
    return largest;
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

  readCursorEncoded(sessionId: string, read: CursorRead, format: LogFormat): EncodedSlice {
    return this.logOf(sessionId).readCursorEncoded(read, format);
  }

  readPageEncoded(sessionId: string, read: PageRead, format: LogFormat): EncodedSlice {
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
