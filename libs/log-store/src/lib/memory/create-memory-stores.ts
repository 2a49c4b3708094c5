import { Stores, StoresOptions } from '../stores';
import { MemoryLogStore } from './memory-log-store';
import { MemorySessionRegistry } from './memory-session-registry';

/** The default stores: sessions and their logs in this process's memory. */
export function createMemoryStores(options: StoresOptions): Stores {
  const logs = new MemoryLogStore(options.capacity, options.memoryBudget ?? null);
  const sessions = new MemorySessionRegistry(logs, options);
  // The budget evicts ended sessions' logs first, and other logs' counters change with it.
  sessions.onChanged((change) => {
    if (change.kind === 'ended') logs.ended(change.id);
  });
  logs.onTrimmed((id, counters) => sessions.logTrimmed(id, counters));
  return {
    logs,
    sessions,
    name: 'memory',
    ready: async () => true,
    notReady: async () => undefined,
    // Nothing to release: the memory goes with the process.
    close: async () => undefined,
  };
}
