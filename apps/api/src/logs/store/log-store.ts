import { LogLevel } from '@zen/contract';
import { EntryBatch } from './entry-batch';

/** What a session object shows of its log. */
export interface LogCounters {
  /** Entries held now. */
  logCount: number;
  /** Entries ever appended. */
  logCursor: number;
  warnCount: number;
  errorCount: number;
}

/** An entry as the store hands it out; `data` stays serialised JSON. */
export interface StoredEntry {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  level: number;
  message: string;
  data: string | undefined;
}

export interface LogFilter {
  /** Keep entries at this level or more severe. */
  minLevel?: LogLevel;
  /** Keep entries whose message contains this text, case-insensitively. */
  text?: string;
}

export interface CursorRead extends LogFilter {
  cursor: number;
  /** At most this many entries; unbounded (up to capacity) when absent. */
  limit?: number;
  /** Also count the held entries passing the filter (for the X-Log-Total header). */
  withTotal?: boolean;
}

export interface CursorSlice {
  entries: StoredEntry[];
  cursor: number;
  dropped: number;
  /** Held entries passing the filter, when asked for. */
  total?: number;
}

export interface PageRead extends LogFilter {
  offset: number;
  limit: number;
}

export interface PageSlice {
  entries: StoredEntry[];
  total: number;
  /** The log's logCursor. */
  cursor: number;
}

/** Totals since start, indexed by level code (debug, info, warn, error). */
export interface LogStoreStats {
  appended: number[];
  evicted: number[];
}

/**
 * Where session logs live. The in-memory store is the default; a shared store (for
 * several server processes) can implement the same contract, which is why every
 * method answers with a promise even though the memory store never waits.
 * Each method returns undefined for a log that does not exist.
 */
export abstract class LogStore {
  abstract create(sessionId: string): Promise<LogCounters>;
  abstract delete(sessionId: string): Promise<void>;
  /** Appends the whole batch contiguously, in order, or nothing. */
  abstract append(sessionId: string, batch: EntryBatch): Promise<LogCounters | undefined>;
  abstract readCursor(sessionId: string, read: CursorRead): Promise<CursorSlice | undefined>;
  abstract readPage(sessionId: string, read: PageRead): Promise<PageSlice | undefined>;
  /** Totals for the metrics endpoint. */
  abstract stats(): Promise<LogStoreStats>;
}
