import { RedisServer } from '@zen/testing';
import { createRedisStores, RedisStoresOptions } from '../lib/redis/create-redis-stores';
import { Stores, StoresOptions } from '../lib/stores';
import { closedAfterEach } from './harness';

/** What a suite's stores differ in (`url`: another redis-server than the suite's); the rest comes from the suite's defaults. */
export type RedisSuiteOptions = Partial<StoresOptions & RedisStoresOptions>;

export interface RedisSuite {
  /** The suite's redis-server (started before its first test). */
  readonly redis: RedisServer;
  /** Stores on that server, closed after the test that opened them (or at `closeOpened()`). */
  open(options?: RedisSuiteOptions): Promise<Stores>;
  /** Closes every store opened so far: for a property test, which opens stores on each of its runs. */
  closeOpened(): Promise<void>;
}

/**
 * A `redis-server` of the suite's own, started before its tests and stopped after them, and
 * stores on it: the set-up every Redis spec of this library shares (call it at the top of a
 * spec file or a `describe`). Unless told otherwise, each `open` has a key prefix of its own.
 */
export function redisSuite(defaults: RedisSuiteOptions = {}): RedisSuite {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.close();
  });
  const opened = closedAfterEach();
  let prefixes = 0;
  const server = () => {
    if (!redis) throw new Error('redisSuite: the suite has not started its redis-server yet');
    return redis;
  };
  return {
    get redis() {
      return server();
    },
    async open(options = {}) {
      const stores = await createRedisStores({
        capacity: 100,
        retainEnded: 10,
        maxActiveClients: 1000,
        commandTimeoutMs: 2000,
        // Stores opened without a prefix see nothing of the others'.
        keyPrefix: `suite${++prefixes}:`,
        url: server().url,
        ...defaults,
        ...options,
      });
      return opened.keep(stores);
    },
    closeOpened: opened.closeAll,
  };
}
