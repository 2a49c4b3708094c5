import { RedisServer } from '@zen/testing';
import { describeLogStoreConformance, describeSessionRegistryConformance } from '../../testing';
import { Stores, StoresOptions } from '../stores';
import { createRedisStores } from './create-redis-stores';

/** The conformance suites on a real redis-server: fresh stores under a fresh key prefix per factory call. */
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.close();
});

let prefixes = 0;
const prefixOf = new WeakMap<Stores, string>();
const optionsOf = new WeakMap<Stores, StoresOptions>();

async function open(options: StoresOptions, keyPrefix: string): Promise<Stores> {
  const stores = await createRedisStores({ ...options, url: redis.url, keyPrefix, commandTimeoutMs: 5000 });
  prefixOf.set(stores, keyPrefix);
  optionsOf.set(stores, options);
  return stores;
}

const factory = (options: StoresOptions) => open(options, `conformance${++prefixes}:`);
// Another replica: a second set of connections on the same Redis and key prefix.
const conformance = {
  replica: (of: Stores) => open(optionsOf.get(of) as StoresOptions, prefixOf.get(of) as string),
};

describeLogStoreConformance('redis', factory, conformance);
describeSessionRegistryConformance('redis', factory, conformance);
