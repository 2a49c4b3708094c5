import { describeLogStoreConformance, describeSessionRegistryConformance, redisSuite } from '../../testing';
import { Stores, StoresOptions } from '../stores';
import { createRedisStores } from './create-redis-stores';

// A real redis-server is stopped and restarted here: generous on a busy machine.
jest.setTimeout(30_000);

/**
 * The conformance suites on a real redis-server: fresh stores under a fresh key prefix per
 * factory call (closed by the suites' own harness, so opened here, not through `suite.open`).
 */
const suite = redisSuite();

let prefixes = 0;
const prefixOf = new WeakMap<Stores, string>();
const optionsOf = new WeakMap<Stores, StoresOptions>();

async function open(options: StoresOptions, keyPrefix: string): Promise<Stores> {
  const stores = await createRedisStores({ ...options, url: suite.redis.url, keyPrefix, commandTimeoutMs: 5000 });
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
