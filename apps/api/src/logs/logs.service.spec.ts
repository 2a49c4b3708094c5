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
});
