import { EntryBatch } from './entry-batch';
import { LogCounters, LogStore } from './log-store';
import { SessionRecord } from './session-record';
import { SessionRegistry } from './session-registry';

/**
 * An optional fast path beside the store and registry interfaces, for an implementation
 * that answers without waiting (the memory one): the append path calls these instead of
 * awaiting a promise at every step (measured on the ingest ratios, docs/performance.md).
 * Each answers exactly what its async twin resolves to, and throws what it rejects with.
 * Callers use it when both the store and the registry offer it (`immediateAppends`) and
 * the promise-based interfaces otherwise, as for a shared store.
 */
export interface ImmediateLogStore {
  /** LogStore.append, answered at once. */
  appendNow(sessionId: string, batch: EntryBatch): LogCounters;
}

export interface ImmediateSessionRegistry {
  /** SessionRegistry.get, answered at once. */
  getNow(id: string): SessionRecord | undefined;
  /** SessionRegistry.recordAppend, done at once. */
  recordAppendNow(id: string, counters: LogCounters): void;
}

export interface ImmediateAppends {
  store: ImmediateLogStore;
  registry: ImmediateSessionRegistry;
}

/** The immediate fast path when both the store and the registry offer it, else null. */
export function immediateAppends(store: LogStore, registry: SessionRegistry): ImmediateAppends | null {
  const s = store as LogStore & Partial<ImmediateLogStore>;
  const r = immediateRegistry(registry);
  return typeof s.appendNow === 'function' && r ? { store: s as ImmediateLogStore, registry: r } : null;
}

/** The registry's immediate half when it offers it (it lives in this process), else null. */
export function immediateRegistry(registry: SessionRegistry): ImmediateSessionRegistry | null {
  const r = registry as SessionRegistry & Partial<ImmediateSessionRegistry>;
  return typeof r.getNow === 'function' && typeof r.recordAppendNow === 'function'
    ? (r as ImmediateSessionRegistry)
    : null;
}
