import { LogLevel } from '@zen/contract';
import { EntryBatch } from './entry-batch';

/** What a session object shows of its log. */
export interface LogCounters {
  /** Entries held now. */
  logCount: number;
  /** Entries ever appended: the `seq` the next entry gets. */
  logCursor: number;
  warnCount: number;
  errorCount: number;
}

export const NO_LOG: Readonly<LogCounters> = Object.freeze({ logCount: 0, logCursor: 0, warnCount: 0, errorCount: 0 });

/** An entry as the store hands it out; `data` stays serialised JSON. */
export interface StoredEntry {
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  /** Level code (see LEVEL_CODE). */
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
  /** Held entries with `seq >= cursor` passing the filter, oldest first. */
  entries: StoredEntry[];
  /**
   * Where the next read continues: one past the last entry returned when the limit
   * cut the slice, else the log's logCursor (never less than the cursor asked for).
   */
  cursor: number;
  /** Entries at or after the cursor asked for that were evicted before this read. */
  dropped: number;
  /** Held entries passing the filter, when asked for. */
  total?: number;
}

export interface PageRead extends LogFilter {
  /** Position among the held entries that pass the filter. */
  offset: number;
  limit: number;
}

export interface PageSlice {
  entries: StoredEntry[];
  /** Held entries passing the filter. */
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
 * Called after each non-empty append made through the store (or, for a shared store,
 * through any replica sharing it) with the session and its logCursor after that append.
 * Listeners run on the store's turn: they must be quick and must not throw.
 */
export type AppendListener = (sessionId: string, logCursor: number) => void;

/** Stops the listener it was returned for; calling it again does nothing. */
export type Unsubscribe = () => void;

/**
 * Where session logs live: one capped log per session, entries numbered by a
 * contiguous `seq` from 0. The in-memory store is the default; a shared store (for
 * several server processes) implements the same contract, which is why every method
 * answers with a promise even though the memory store never waits. A store that cannot
 * be reached rejects with StoreUnavailableError.
 *
 * The behaviours are pinned by `describeLogStoreConformance` (`@zen/log-store/testing`).
 */
export abstract class LogStore {
  /** Creates an empty log for the session (replacing none: the registry creates each id once). */
  abstract create(sessionId: string): Promise<LogCounters>;

  /** Forgets the log; deleting a missing log does nothing. */
  abstract delete(sessionId: string): Promise<void>;

  /**
   * Appends the whole batch contiguously, in order, or nothing, evicting the oldest
   * entries past the capacity. Answers the counters right after this append (a later
   * append may already have moved them on). An empty batch changes nothing and fires
   * no listener. Rejects with LogNotFoundError for a missing log.
   */
  abstract append(sessionId: string, batch: EntryBatch): Promise<LogCounters>;

  /** Entries from a cursor (see CursorSlice). Rejects with LogNotFoundError for a missing log. */
  abstract readCursor(sessionId: string, read: CursorRead): Promise<CursorSlice>;

  /** A page of held entries by position. Rejects with LogNotFoundError for a missing log. */
  abstract readPage(sessionId: string, read: PageRead): Promise<PageSlice>;

  /** Totals for the metrics endpoint. */
  abstract stats(): Promise<LogStoreStats>;

  /** The change feed the live WebSocket follows (see AppendListener). */
  abstract onAppended(listener: AppendListener): Unsubscribe;

  /**
   * Calls `listener` each time a shared store's change feed is back after it was lost and the
   * appends it missed were announced. A log may also have vanished meanwhile (a Redis that
   * restarted without persistence): no append announces that, so a follower must read its log
   * again to find out. The memory store never loses its feed, and never calls it.
   */
  onResynced(listener: () => void): Unsubscribe {
    void listener;
    return () => undefined;
  }

  /**
   * Calls `listener` with why, each time a shared store's change feed is lost (it may be while
   * the store answers commands: Redis drops a subscriber past its pub/sub output buffer limit,
   * or one whose channel access was revoked). Appends announced meanwhile are missed until
   * `onResynced`'s listeners are called. The memory store never loses its feed, and never calls it.
   */
  onFeedLost(listener: (why: string) => void): Unsubscribe {
    void listener;
    return () => undefined;
  }
}
