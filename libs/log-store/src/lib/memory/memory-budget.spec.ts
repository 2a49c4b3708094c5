import { oid } from '@zen/testing';
import { EntryBatch, LEVEL_CODE } from '../entry-batch';
import { createMemoryStores } from './create-memory-stores';
import { MemoryLogStore } from './memory-log-store';

const MiB = 1024 * 1024;

/** Entries from..to-1 whose 100-byte messages name their seq. */
function batch(from: number, to: number, level = LEVEL_CODE.info): EntryBatch {
  const count = to - from;
  return {
    messages: Array.from({ length: count }, (_, i) => `entry ${String(from + i).padStart(8, '0')} `.padEnd(100, 'x')),
    levels: new Array<number>(count).fill(level),
    times: new Array<number>(count).fill(0),
    data: null,
  };
}

/** Batches built once and appended to every log, so that filling makes no garbage that would blur the RSS. */
const batches = new Map<string, EntryBatch>();
function cachedBatch(from: number, to: number): EntryBatch {
  const key = `${from}-${to}`;
  let cached = batches.get(key);
  if (!cached) batches.set(key, (cached = batch(from, to)));
  return cached;
}

async function fill(store: MemoryLogStore, id: string, entries: number, per = 1000): Promise<void> {
  for (let from = 0; from < entries; from += per) {
    await store.append(id, cachedBatch(from, Math.min(entries, from + per)));
  }
}

/** What a cursor read from 0 shows must be exact: dropped up to the first held, then every seq in order. */
async function expectExactLog(store: MemoryLogStore, id: string, appended: number): Promise<number> {
  const slice = await store.readCursor(id, { cursor: 0 });
  const held = slice.entries.map((entry) => entry.seq);
  expect(slice.cursor).toBe(appended);
  expect(held).toEqual(Array.from({ length: appended - slice.dropped }, (_, i) => slice.dropped + i));
  for (const entry of slice.entries)
    expect(entry.message.startsWith(`entry ${String(entry.seq).padStart(8, '0')}`)).toBe(true);
  return held.length;
}

describe('the memory budget (LOG_MEMORY_BYTES)', () => {
  it('keeps the bytes all logs hold, and the process RSS, under the budget plus a fixed cost', async () => {
    const budget = { bytes: 32 * MiB, floorEntries: 100 };
    const capacity = 100_000;
    const { logs } = createMemoryStores({
      capacity,
      retainEnded: 10,
      maxActiveClients: 1000,
      memoryBudget: budget,
    });
    const store = logs as MemoryLogStore;
    const sessions = 20;
    // Unbounded, these 2,000,000 entries would hold ~240 MiB.
    for (let i = 0; i < sessions; i++) await store.create(oid(i));
    for (let from = 0; from < capacity; from += 1000) cachedBatch(from, from + 1000);
    const rssBefore = process.memoryUsage.rss();
    for (let i = 0; i < sessions; i++) {
      await fill(store, oid(i), capacity);
      expect(store.heldBytes()).toBeLessThanOrEqual(budget.bytes);
    }
    (global as { gc?: () => void }).gc?.();
    const grown = process.memoryUsage.rss() - rssBefore;
    // The fixed cost: the test's own garbage (batches) not yet collected, and the heap's slack.
    expect(grown).toBeLessThan(budget.bytes + 64 * MiB);

    let held = 0;
    for (let i = 0; i < sessions; i++) {
      const count = await expectExactLog(store, oid(i), capacity);
      expect(count).toBeGreaterThanOrEqual(budget.floorEntries);
      held += count;
    }
    // Every eviction is counted, as capacity evictions are.
    const stats = await store.stats();
    expect(stats.appended[LEVEL_CODE.info] - stats.evicted[LEVEL_CODE.info]).toBe(held);
  }, 300_000);

  it("evicts ended sessions' logs first, then the largest log, and reports other logs' counters to the registry", async () => {
    const budget = { bytes: 4 * MiB, floorEntries: 100 };
    let now = 1000;
    const stores = createMemoryStores({
      capacity: 100_000,
      retainEnded: 10,
      maxActiveClients: 10,
      memoryBudget: budget,
      clock: () => now,
    });
    const store = stores.logs as MemoryLogStore;
    const [ended, big, small] = [oid(1), oid(2), oid(3)];
    for (const id of [ended, big, small])
      await stores.sessions.create({ id, fields: { appname: 'budget' }, clientAddress: null });
    await fill(store, ended, 10_000);
    await stores.sessions.end(ended, 'deleted');
    await fill(store, small, 2_000);
    await fill(store, big, 15_000);
    const endedUpdated = (await stores.sessions.get(ended))?.updated;
    now += 5000;
    // Under the budget so far; the next appends pass it, and the ended log goes first.
    await fill(store, big, 45_000);
    const endedLog = await store.readCursor(ended, { cursor: 0 });
    expect(endedLog.entries.length).toBeLessThan(10_000);
    expect((await store.readCursor(small, { cursor: 0 })).dropped).toBe(0);
    // Then the largest log (the one appended to, here) loses its oldest entries, the small one none.
    await fill(store, big, 60_000);
    expect(store.heldBytes()).toBeLessThanOrEqual(budget.bytes);
    expect((await store.readCursor(ended, { cursor: 0 })).entries).toEqual([]);
    expect((await store.readCursor(small, { cursor: 0 })).dropped).toBe(0);
    expect((await store.readCursor(big, { cursor: 0 })).dropped).toBeGreaterThan(0);
    // The ended session's record shows its log emptied, and was not touched by it.
    const record = await stores.sessions.get(ended);
    expect(record?.toSession()).toMatchObject({ logCount: 0, logCursor: 10_000 });
    expect(record?.updated).toBe(endedUpdated);
  });

  it('never goes below the floor of an active session, even past the budget', async () => {
    const store = new MemoryLogStore(10_000, { bytes: 64 * 1024, floorEntries: 2000 });
    await store.create(oid(1));
    await store.create(oid(2));
    await fill(store, oid(1), 5000);
    await fill(store, oid(2), 5000);
    for (const id of [oid(1), oid(2)]) expect(await expectExactLog(store, id, 5000)).toBeGreaterThanOrEqual(2000);
    const counters = await store.append(oid(1), batch(5000, 5001));
    expect(counters.logCursor).toBe(5001);
    expect(counters.logCount).toBeGreaterThanOrEqual(2000);
  });
});
