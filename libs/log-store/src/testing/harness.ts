import { randomBytes } from 'node:crypto';
import { Stores, StoresFactory, StoresOptions } from '../lib/stores';

export const DEFAULT_OPTIONS: StoresOptions = { capacity: 1000, retainEnded: 1000, maxActiveClients: 1000 };

/** A fresh 24-hex-character id: unique per call, so suites can share one backing store. */
export function newSessionId(): string {
  return randomBytes(12).toString('hex');
}

/**
 * Opens stores through the factory for one test and closes every one of them after
 * it, even when the test fails.
 */
export function storesHarness(factory: StoresFactory): (options?: Partial<StoresOptions>) => Promise<Stores> {
  const opened: Stores[] = [];
  afterEach(async () => {
    const closing = opened.splice(0);
    await Promise.all(closing.map((stores) => stores.close()));
  });
  return async (options = {}) => {
    const stores = await factory({ ...DEFAULT_OPTIONS, ...options });
    opened.push(stores);
    return stores;
  };
}
