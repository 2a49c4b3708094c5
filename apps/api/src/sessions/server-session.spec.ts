import { Logger } from '@nestjs/common';
import { MemoryLogStore, MemorySessionRegistry, SessionRecord, SessionRegistry } from '@zen/log-store';
import { ServerSession } from './server-session';

/**
 * A shared store, as ServerSession sees one (no synchronous reads), over the memory registry: it
 * counts the looks, may answer them late, and can lose or end a session as a Redis that lost
 * its data, or other replicas, would. What ServerSession does with Redis itself is in
 * redis-replicas.spec.ts and redis-faults.spec.ts.
 */
function sharedStore() {
  const memory = new MemorySessionRegistry(new MemoryLogStore(10), { retainEnded: 10, maxActiveClients: 10 });
  const lost = new Set<string>();
  const store = { looks: 0, lookDelayMs: 0, lost, memory };
  const registry = new Proxy(memory, {
    get(target, property, receiver) {
      if (property === 'getNow' || property === 'recordAppendNow') return undefined;
      if (property === 'get') {
        return async (id: string) => {
          store.looks++;
          await new Promise((done) => setTimeout(done, store.lookDelayMs));
          return lost.has(id) ? undefined : target.get(id);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as SessionRegistry;
  return { store, registry };
}

describe('ServerSession with a shared store', () => {
  const logger = new Logger('test');
  const sessions: ServerSession[] = [];
  let ids = 0;
  const open = async (registry: SessionRegistry) => {
    const create = () =>
      registry.create({
        id: (++ids).toString(16).padStart(24, '0'),
        fields: { appname: 'zenserver', mode: 'server' },
        clientAddress: null,
        server: true,
      });
    const session = new ServerSession(registry, create, logger);
    sessions.push(session);
    await session.start();
    return session;
  };
  afterEach(() => sessions.splice(0).forEach((session) => session.stop()));

  it('makes every listing that misses it during one look wait for that look, and name the new session', async () => {
    const { store, registry } = sharedStore();
    const session = await open(registry);
    const lostId = session.id;
    store.lost.add(lostId);
    store.lookDelayMs = 100;
    const listing: SessionRecord[] = [];
    // Two listings at once: the second used to answer at once, naming the lost session.
    const [first, second] = await Promise.all([
      session.missingFrom(listing, 'all'),
      session.missingFrom(listing, 'active'),
    ]);
    expect([first, second]).toEqual([true, true]);
    expect(session.id).not.toBe(lostId);
    expect(store.looks).toBe(1);
  });

  it('looks for a session other replicas ended at most once (the change feed tells of the end), not at every active listing', async () => {
    const { store, registry } = sharedStore();
    const session = await open(registry);
    await store.memory.end(session.id, 'expired');
    const active = await registry.list('active');
    for (let i = 0; i < 5; i++) expect(await session.missingFrom(active, 'active')).toBe(false);
    expect(store.looks).toBeLessThanOrEqual(1);
    expect(session.id).toBe((await registry.list('all'))[0].id);
  });

  it('creates no other once retention forgets the session other replicas ended: it was ended, not lost', async () => {
    const { store, registry } = sharedStore();
    const session = await open(registry);
    const endedId = session.id;
    await store.memory.end(endedId, 'expired');
    store.lost.add(endedId); // forgotten past SESSIONS_RETAIN_ENDED
    expect(await session.missingFrom([], 'all')).toBe(false);
    expect(await session.missingFrom([], 'active')).toBe(false);
    expect(session.id).toBe(endedId);
    expect(session.ended).toBe(true);
    expect((await registry.list('active')).filter((record) => record.active)).toHaveLength(0);
  });
});
