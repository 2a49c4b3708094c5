import { DEFAULT_LIMITS, DEFAULT_LOG_CAPACITY, Limits } from '@zen/contract';
import { totalmem } from 'node:os';
import { join } from 'node:path';

/** Where sessions and logs live: this process's memory, or a Redis shared by every replica. */
export type LogStoreKind = 'memory' | 'redis';
export const LOG_STORE_KINDS: readonly LogStoreKind[] = ['memory', 'redis'];

/**
 * The memory this process may use: the machine's, or its cgroup's limit when that is lower (a
 * container's, a systemd unit's `MemoryMax=`). libuv answers 0, or a huge number, without a limit.
 */
export function usableMemory(total = totalmem(), constrained = process.constrainedMemory()): number {
  return constrained > 0 && constrained < total ? constrained : total;
}

/** Express's `trust proxy` setting: off, on, a hop count, or addresses/subnets. */
export type TrustProxy = boolean | number | string;

/**
 * Every setting of the server, read from the environment once at start-up.
 * Injected by class, so services read typed fields instead of `process.env`.
 */
export class AppConfig {
  readonly port: number = 8558;
  readonly host: string = '127.0.0.1';
  /** '' or a path such as '/zen' (no trailing slash). */
  readonly basePath: string = '';
  readonly logCapacity: number = DEFAULT_LOG_CAPACITY;
  /**
   * Bytes all logs of the memory store may hold together: a quarter of the memory the process may
   * use by default (of the machine's, a container on a large host would be killed before evicting).
   */
  readonly logMemoryBytes: number = Math.floor(usableMemory() / 4);
  /** Newest entries of an active session's log the memory budget never evicts. */
  readonly logMemoryFloorEntries: number = 100;
  readonly retainEnded: number = 1000;
  readonly wsIntervalMs: number = 1000;
  /** Window within which session changes reach `sessions-delta` subscribers, coalesced. */
  readonly wsDeltaMs: number = 100;
  /** 0 turns liveness expiry off. */
  readonly sessionTimeoutS: number = 0;
  /** Open TCP connections (HTTP and WebSocket) beyond which new ones are refused. */
  readonly maxConnections: number = 10_000;
  /** Active client sessions the server accepts before answering 429. */
  readonly maxSessions: number = 10_000;
  /** Entries one session may append per second (a second's worth at once); 0: no limit. */
  readonly maxAppendEntriesPerS: number = 0;
  /** Entries one client address (ClientAddresses: with TRUST_PROXY, the forwarded client) may append per second across its sessions; 0: no limit. */
  readonly maxClientAppendEntriesPerS: number = 0;
  /**
   * Rate-limit buckets held per limit (sessions, client addresses); past it the longest-held is
   * forgotten (TokenBuckets). Keys a client chooses (an IPv6 /64's addresses) must not grow it.
   */
  readonly maxRateLimitBuckets: number = 100_000;
  /**
   * Server log messages held while they cannot be appended (no server session, the store away,
   * an append out); the newest beyond are counted.
   */
  readonly maxHeldServerLogMessages: number = 10_000;
  /**
   * Bytes of response bodies written and not yet taken by their clients, per client address
   * (as ClientAddresses names it) and in all; past either, a read is refused (UnsentResponses).
   */
  readonly maxClientUnsentResponseBytes: number = 256 * 1024 * 1024;
  readonly maxUnsentResponseBytes: number = 1024 * 1024 * 1024;
  /** Bytes of request bodies being received at once, all requests together; past it a body is refused (RequestBodyReader). */
  readonly maxIncomingBodyBytes: number = 256 * 1024 * 1024;
  readonly limits: Limits = { ...DEFAULT_LIMITS };
  readonly wsMaxPayloadBytes: number = 64 * 1024;
  /** Bytes a WebSocket client may have queued before the server skips it ahead. */
  readonly wsMaxBufferedBytes: number = 4 * 1024 * 1024;
  /** Bytes all WebSocket clients together may have queued before every one is skipped ahead (WsQueue). */
  readonly wsMaxTotalBufferedBytes: number = 1024 * 1024 * 1024;
  /**
   * Messages of one WebSocket client handled at once; past it the client's socket is not read
   * until half of them are done (see LiveWsAdapter).
   */
  readonly wsMaxMessagesInFlight: number = 32;
  /**
   * Sessions one WebSocket connection may follow at once; a `subscribe-log` of one more is
   * refused (`not subscribed`). A follow costs ~1 KB: without a limit other than the number of
   * sessions, MAX_CONNECTIONS connections following every session could hold ~100 GB.
   */
  readonly wsMaxSubscriptions: number = 1000;
  /** Entries per `log` event; a larger backlog goes out as several events. */
  readonly wsLogChunk: number = 1000;
  /**
   * Warnings about WebSocket clients that broke the protocol logged one by one a minute; past it,
   * one line a minute counts them (see ProtocolWarnings).
   */
  readonly wsMaxProtocolWarningsPerMin: number = 10;
  readonly wsPingIntervalMs: number = 30_000;
  readonly trustProxy: TrustProxy = false;
  /** Bearer token every write needs; null: writes are open. */
  readonly authToken: string | null = null;
  /** Bearer token reads, WebSockets and /metrics need too; null: reads are open. */
  readonly authReadToken: string | null = null;
  /**
   * Host names requests may give beside the local ones (AllowedHosts); ['*']: any; empty: any when
   * `host` is a network address, only local names when it is a loopback one.
   */
  readonly allowedHosts: string[] = [];
  /** Origins allowed by CORS; empty: CORS off (same origin only); ['*']: any. */
  readonly corsOrigins: string[] = [];
  /** Longest a graceful shutdown may take before the process exits anyway. */
  readonly shutdownTimeoutMs: number = 10_000;
  readonly logStore: LogStoreKind = 'memory';
  /** With LOG_STORE=redis: the server (`redis://` or `rediss://`, user and password in the URL). */
  readonly redisUrl: string = 'redis://127.0.0.1:6379';
  /** Prefix of every Redis key and channel: replicas sharing a Redis and a prefix share everything. */
  readonly redisKeyPrefix: string = 'zen:';
  /** Longest a Redis command (or connection attempt) may take before the request answers 503. */
  readonly redisTimeoutMs: number = 2000;
  /** Reads that may be large (every entry, or more than 1,000) a replica sends Redis at once (see ReadBulkhead). */
  readonly redisLargeReads: number = 1;
  /** Longest such a read waits for its turn before it answers 503 (its wait is not REDIS_TIMEOUT_MS's). */
  readonly redisLargeReadWaitMs: number = 30_000;
  /** The built dashboard (index.html and assets). */
  readonly dashboardDir: string = join(__dirname, '..', 'dashboard', 'browser');

  constructor(values: Partial<AppConfig> = {}) {
    Object.assign(this, values);
  }

  /** `path` under the base path: `/sessions` → `/zen/sessions`. */
  under(path: string): string {
    return this.basePath + path;
  }
}
