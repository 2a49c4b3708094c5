import { storeFeedLost } from '@zen/contract';
import { SharedBuckets, Stores, StoresOptions } from '../stores';
import { settledWithin } from '../settled-within';
import { FeedResync } from './feed-resync';
import { RedisChangeFeed } from './redis-change-feed';
import { RedisConnection, RedisConnectionOptions } from './redis-connection';
import { RedisLogStore } from './redis-log-store';
import { RedisSessionRegistry } from './redis-session-registry';
import { ServerLiveness, ServerLivenessOptions } from './server-liveness';
import { SessionCache } from './session-cache';

export type RedisStoresOptions = RedisConnectionOptions & ServerLivenessOptions;

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
