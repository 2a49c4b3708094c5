import { storeFeedLost } from '@zen/contract';
import { StoreUnavailableError } from '../errors';
import { endedLine, onLateEnds, SessionRecord } from '../session-record';
import { SharedBuckets, Stores, StoresOptions } from '../stores';
import { settledWithin } from '../settled-within';
import { FeedResync } from './feed-resync';
import { RedisChangeFeed } from './redis-change-feed';
import { RedisConnection, RedisConnectionOptions } from './redis-connection';
import { RedisLogStore } from './redis-log-store';
import { RedisSessionRegistry } from './redis-session-registry';
import { SessionCache } from './session-cache';

/** How long a replica may stay silent before the others end its server session (the contract's 30 s). */
const SERVER_SILENCE_MS = 30_000;

export interface RedisStoresOptions extends RedisConnectionOptions {
  /** Period of this replica's heartbeat on its server sessions (well under SERVER_SILENCE_MS). */
  heartbeatMs?: number;
  /** How long a silent replica's server session lives on (SERVER_SILENCE_MS; tests shorten it). */
  serverSilenceMs?: number;
  /**
   * Whoever made the server sessions looks for them itself and says when Redis lost one (the API's
   * ServerSession, which makes another): the heartbeat then stops beating a lost one without a
   * word, so that the loss is told once. One that another replica ended is told still.
   */
  lostServerSessionsToldByOwner?: boolean;
}

/**
 * Stores shared through Redis by every replica with the same URL and key prefix. Waits
 * up to the command timeout for the connection and the feed, then answers even if
 * Redis is down: the connection keeps trying in the background, calls fail with
 * StoreUnavailableError until it is up, and `ready()` says which.
 */
export async function createRedisStores(options: StoresOptions & RedisStoresOptions): Promise<Stores> {
  const connection = new RedisConnection(options);
  const logs = new RedisLogStore(connection, options.capacity, options.clock);
  const cache = new SessionCache(() => feed.caughtUp());
  const sessions = new RedisSessionRegistry(connection, logs, options, cache);
  const resync = new FeedResync(sessions, logs, connection);
  const feed = changeFeed({ connection, logs, sessions, cache, resync });
  const liveness = new ServerLiveness(sessions, connection, options);
  await settledWithin(Promise.all([connection.connected, feed.subscribed]), options.commandTimeoutMs, undefined);
  const notReady = () => whyNotReady(connection, feed);
  return {
    logs,
    sessions,
    buckets: sharedBuckets(connection),
    name: connection.name,
    ready: async () => (await notReady()) === undefined,
    notReady,
    async close() {
      await liveness.stop();
      resync.close();
      await feed.close();
      await connection.close();
    },
  };
}

/** What the change feed tells, and whom: this replica's listeners, and its copies of what Redis holds. */
function changeFeed(parts: {
  connection: RedisConnection;
  logs: RedisLogStore;
  sessions: RedisSessionRegistry;
  cache: SessionCache;
  resync: FeedResync;
}): RedisChangeFeed {
  const { connection, logs, sessions, cache, resync } = parts;
  // What this replica copied from Redis may be stale once the feed missed messages.
  const forgetCopies = () => {
    cache.clear();
    sessions.forgetAppendable();
  };
  return new RedisChangeFeed(connection, {
    change(message) {
      if (message.kind === 'appended') logs.emitAppended(message.id, message.cursor);
      sessions.emitChange({ kind: message.kind, id: message.id });
    },
    lost: (why) => {
      forgetCopies();
      logs.emitFeedLost(storeFeedLost(connection.name, why));
    },
    resync: () => {
      forgetCopies();
      void resync.run();
    },
  });
}

/** Why the stores cannot serve now (undefined: they can): Redis's own reason, the feed's, or both. */
async function whyNotReady(connection: RedisConnection, feed: RedisChangeFeed): Promise<string | undefined> {
  const store = await connection.notReady();
  const listening = feed.notReady();
  // Redis answering yet refusing (an ACL without the feed's channel refuses its SUBSCRIBE and
  // every script's PUBLISH alike): both are said. Redis away: the feed's is the same outage.
  if (store === undefined || listening === undefined || !connection.client.isReady) return store ?? listening;
  return `${store}; ${listening}`;
}

/** The rate-limit buckets every replica shares: one script each, so a take or a refund is one atomic step. */
function sharedBuckets(connection: RedisConnection): SharedBuckets {
  return {
    take: async (limit, key, ratePerSecond, count, force = false) =>
      Number(
        await connection.run(() =>
          connection.client.take(
            connection.keys.bucket(limit, key),
            String(ratePerSecond),
            String(count),
            force ? '1' : '0',
          ),
        ),
      ),
    // A forced take of minus the count: one atomic step, capped at a full bucket by the script.
    refund: async (limit, key, ratePerSecond, count) => {
      if (count <= 0) return;
      const bucket = connection.keys.bucket(limit, key);
      await connection.run(() => connection.client.take(bucket, String(ratePerSecond), String(-count), '1'));
    },
  };
}

/**
 * The server sessions of this replica and of the others: a heartbeat keeps this
 * replica's alive; a sweep ends, as expired, those of replicas silent for
 * SERVER_SILENCE_MS (each exactly once, whichever replica sees it first); stopping
 * ends this replica's own with endReason `stopped`.
 */
class ServerLiveness {
  private readonly timers: NodeJS.Timeout[] = [];
  /**
   * When this replica last found Redis unreachable or refusing its writes (undefined: not
   * yet). A silence that overlaps such a fault is the fault's, not a dead replica's: every
   * replica's heartbeat was refused alike (Redis full, failing to persist, read-only, away),
   * and a sweep just after it ended would expire them all before they beat again. So no
   * replica is expired until SERVER_SILENCE_MS after the last trouble seen.
   */
  private troubleAt: number | undefined;

  constructor(
    private readonly sessions: RedisSessionRegistry,
    private readonly connection: RedisConnection,
    private readonly options: StoresOptions & RedisStoresOptions,
  ) {
    const silence = options.serverSilenceMs ?? SERVER_SILENCE_MS;
    const heartbeat = options.heartbeatMs ?? Math.min(10_000, silence / 3);
    this.every(heartbeat, () => this.beat());
    this.every(Math.min(5_000, silence / 3), () => this.sweep(silence));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const silence = this.options.serverSilenceMs ?? SERVER_SILENCE_MS;
    for (const id of this.sessions.ownServers) {
      try {
        await this.sessions.end(id, 'stopped');
      } catch (error) {
        // What happens to it instead: a stalled Redis may still run the end; else, as for a
        // replica that died, the others expire it.
        const late = error instanceof StoreUnavailableError && error.late ? ' (Redis may still complete it)' : '';
        this.options.onEvent?.(
          `could not end server session ${id} as stopped${late}: ${(error as Error).message}; ` +
            `any running replica ends it as expired once it has been silent for ${silence / 1000} s`,
        );
      }
    }
  }

  private every(ms: number, run: () => Promise<void>): void {
    const timer = setInterval(() => void run().catch(() => this.trouble()), ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async beat(): Promise<void> {
    for (const id of this.sessions.ownServers) {
      const beat = await this.sessions.beat(id);
      if (beat === 'ok') continue;
      this.sessions.ownServers.delete(id);
      if (beat === 'missing' && this.options.lostServerSessionsToldByOwner) continue;
      this.options.onEvent?.(goneServerSession(id, beat));
    }
  }

  private trouble(): void {
    this.troubleAt = (this.options.clock ?? Date.now)();
  }

  private async sweep(silence: number): Promise<void> {
    // A write first: a Redis refusing this replica's writes refused the others' heartbeats too.
    if ((await this.connection.notReady()) !== undefined) return this.trouble();
    const now = (this.options.clock ?? Date.now)();
    if (this.troubleAt !== undefined && now - this.troubleAt < silence) return;
    let expired: SessionRecord[];
    try {
      expired = await this.sessions.expireSilentServers(now - silence);
    } catch (error) {
      // Cut short by a slow Redis: what it ended before, or Redis ends late, is said still.
      onLateEnds(error, (record) => this.options.onEvent?.(endedLine(record)));
      throw error;
    }
    for (const record of expired) this.options.onEvent?.(endedLine(record));
  }
}

/**
 * Why a replica's server session is gone. A missing one was not ended by anyone: Redis lost it
 * (restarted without persistence), and blaming a silence sent an operator looking for a pause.
 */
function goneServerSession(id: string, beat: 'missing' | 'ended'): string {
  return beat === 'missing'
    ? `server session ${id} is no longer in the session store (its data was lost)`
    : `server session ${id} was ended by another replica (this one was silent too long)`;
}
