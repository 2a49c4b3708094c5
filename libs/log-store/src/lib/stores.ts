import { LogStore } from './log-store';
import { SessionRegistry } from './session-registry';

/** What every store implementation is configured with. */
export interface StoresOptions {
  /** Entries held per session log (LOG_CAPACITY). */
  capacity: number;
  /** Ended sessions kept, with their logs (SESSIONS_RETAIN_ENDED). */
  retainEnded: number;
  /** Active client sessions allowed at once (MAX_SESSIONS); server sessions do not count. */
  maxActiveClients: number;
  /** The registry's clock, ms since the epoch (tests pass their own); Date.now by default. */
  clock?: () => number;
  /** What all logs of an in-process store may hold together (LOG_MEMORY_BYTES); none: unbounded. */
  memoryBudget?: MemoryBudget;
}

/**
 * The memory store's bound on the bytes its logs hold. Past it, the oldest entries go:
 * ended sessions' logs first (earliest ended first), then the largest logs, never below
 * `floorEntries` newest entries of an active session's log.
 */
export interface MemoryBudget {
  bytes: number;
  floorEntries: number;
}

/**
 * Rate-limit buckets held in a shared store, so that every replica counts against one bucket
 * per key (a session, a client address); the same rules as TokenBuckets, each call one atomic step.
 */
export interface SharedBuckets {
  /**
   * Takes `count` tokens from `key`'s bucket of `limit` (which refills at `ratePerSecond`, up to
   * one second's worth): 0 when granted, else the whole seconds until it holds a token again
   * (at least 1), having taken nothing. A `count` of 0 only looks. `force` takes even from an
   * empty bucket (charging what already got in) and answers 0.
   */
  take(limit: string, key: string, ratePerSecond: number, count: number, force?: boolean): Promise<number>;
  /**
   * Gives `count` tokens back to `key`'s bucket of `limit`, up to a full bucket as a refill is: for
   * a request refused after its take. A bucket gone meanwhile (refilled) gets nothing.
   */
  refund(limit: string, key: string, ratePerSecond: number, count: number): Promise<void>;
}

/** A log store and the session registry over it, built together by one factory and replaced together. */
export interface Stores {
  readonly logs: LogStore;
  readonly sessions: SessionRegistry;
  /** Rate-limit buckets every replica shares (a shared store's); absent: each process holds its own. */
  readonly buckets?: SharedBuckets;
  /** What the stores are, for messages: `memory`, `Redis at host:port`. */
  readonly name: string;
  /** Whether the stores can be reached now (readiness); the memory stores always can. */
  ready(): Promise<boolean>;
  /**
   * Why the stores cannot serve now, for `/health/ready` (undefined when they can): not
   * reachable, too slow, or reachable but refusing writes (a full Redis, a failing disk, a
   * read-only replica), each said in a sentence naming the store and the cause.
   */
  notReady(): Promise<string | undefined>;
  /** Releases connections and timers; the stores are unusable afterwards. */
  close(): Promise<void>;
}

/** Builds a fresh pair of stores (async: a shared store connects first). */
export type StoresFactory = (options: StoresOptions) => Promise<Stores>;
