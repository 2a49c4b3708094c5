import { randomBytes } from 'node:crypto';
import { Stores, StoresFactory, StoresOptions } from '../lib/stores';

export const DEFAULT_OPTIONS: StoresOptions = { capacity: 1000, retainEnded: 1000, maxActiveClients: 1000 };

/** A fresh 24-hex-character id: unique per call, so suites can share one backing store. */
export function newSessionId(): string {
  return randomBytes(12).toString('hex');
}

/** What a conformance suite may exercise beyond one process. */
export interface ConformanceOptions {
  /**
   * Opens another replica over the same data as `of` (for a shared store: a second
   * connection with the same key prefix). With it, the suites also check what must
   * hold across replicas; the harness closes it after the test.
   */
  replica?: (of: Stores) => Promise<Stores>;
}

/**
 * Opens stores through the factory for one test and closes every one of them after
 * it, even when the test fails.
 */
export function storesHarness(factory: StoresFactory): (options?: Partial<StoresOptions>) => Promise<Stores> {
  const opened = closedAfterEach();
  return async (options = {}) => opened.keep(await factory({ ...DEFAULT_OPTIONS, ...options }));
}

/** Opens a replica of `of` for one test, closed after it (with every other one opened). */
export function replicaHarness(conformance: ConformanceOptions): ((of: Stores) => Promise<Stores>) | undefined {
  const replica = conformance.replica;
  if (!replica) return undefined;
  const opened = closedAfterEach();
  return async (of) => {
    const other = await replica(of);
    // The memory stores are their own replica: close each pair once.
    return other === of ? other : opened.keep(other);
  };
}

/** Stores kept for closing: all of them after each test, even when the test fails, or at `closeAll()`. */
export interface OpenedStores {
  keep(stores: Stores): Stores;
  closeAll(): Promise<void>;
}

export function closedAfterEach(): OpenedStores {
  const opened: Stores[] = [];
  const closeAll = async () => {
    const closing = opened.splice(0);
    await Promise.all(closing.map((stores) => stores.close()));
  };
  afterEach(closeAll);
  return {
    keep: (stores) => {
      opened.push(stores);
      return stores;
    },
    closeAll,
  };
}
