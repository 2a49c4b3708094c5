import {
  addEntry,
  emptyBatch,
  MemoryLogStore,
  MemorySessionRegistry,
  SessionEndedError,
  SessionRecord,
} from '@zen/log-store';
import { AppConfig } from '../config/app-config';
import { AppendRateLimit } from './append-rate-limit';
import { LogsService } from './logs.service';

describe('LogsService.append with the memory store', () => {
  const ID = 'ab12ab12ab12ab12ab12ab12';

  it('refuses an ended session before the store appends: the refused append changes nothing', async () => {
    // Found by review: the registry's refusal came after the store had appended the batch.
    const store = new MemoryLogStore(100);
    const registry = new MemorySessionRegistry(store, { retainEnded: 10, maxActiveClients: 10 });
    const logs = new LogsService(store, registry, new AppendRateLimit(new AppConfig(), registry));
    await registry.create({ id: ID, fields: { appname: 'app' }, clientAddress: null });
    const batch = emptyBatch();
    addEntry(batch, 'kept', 1, Date.now());
    expect(logs.append(ID, batch)).toBe(1);
    await registry.end(ID, 'deleted');

    expect(() => logs.append(ID, batch)).toThrow(SessionEndedError);
    const read = await store.readCursor(ID, { cursor: 0, limit: 100 });
    expect(read.entries.map((entry) => entry.message)).toEqual(['kept']);
    expect(read.cursor).toBe(1);
  });

  it("refuses a client's append to a session ended since its writable() check, from the record it found", async () => {
    const store = new MemoryLogStore(100);
    const registry = new MemorySessionRegistry(store, { retainEnded: 10, maxActiveClients: 10 });
    const logs = new LogsService(store, registry, new AppendRateLimit(new AppConfig(), registry));
    await registry.create({ id: ID, fields: { appname: 'app' }, clientAddress: null });
    const session = logs.writable(ID) as SessionRecord;
    await registry.end(ID, 'deleted');
    const batch = emptyBatch();
    addEntry(batch, 'refused', 1, Date.now());

    expect(() => logs.append(ID, batch, { address: '127.0.0.1', session })).toThrow(SessionEndedError);
    expect((await store.readCursor(ID, { cursor: 0, limit: 100 })).cursor).toBe(0);
  });

  // Found in stop 57: the refused append had spent its entries from the client's budget, so the
  // client's next append (a retry, say) was refused 429 although nothing had been appended. Over
  // HTTP the memory store finds an ended session before the charge (writable() and append() run in
  // one turn); a session ends between them only through a shared store, or as here.
  it("gives back what a client's append refused after the rate limit was counted", async () => {
    const ENDED = 'cd34cd34cd34cd34cd34cd34';
    const store = new MemoryLogStore(100);
    const registry = new MemorySessionRegistry(store, { retainEnded: 10, maxActiveClients: 10 });
    const config = new AppConfig({ maxClientAppendEntriesPerS: 10 });
    const logs = new LogsService(store, registry, new AppendRateLimit(config, registry));
    await registry.create({ id: ID, fields: { appname: 'app' }, clientAddress: null });
    await registry.create({ id: ENDED, fields: { appname: 'app' }, clientAddress: null });
    const client = (id: string) => ({ address: '127.0.0.1', session: logs.writable(id) as SessionRecord });
    const lines = (count: number) => {
      const batch = emptyBatch();
      for (let i = 0; i < count; i++) addEntry(batch, `line ${i}`, 1, Date.now());
      return batch;
    };
    expect(logs.append(ID, lines(5), client(ID))).toBe(5); // half the client's second's worth
    const toEnded = client(ENDED);
    await registry.end(ENDED, 'deleted');

    // Passes the limit (the bucket is not empty), is counted, then refused: 50 entries, 4.5 s of debt.
    expect(() => logs.append(ENDED, lines(50), toEnded)).toThrow(SessionEndedError);
    expect(logs.append(ID, lines(5), client(ID))).toBe(10);
  });
});
