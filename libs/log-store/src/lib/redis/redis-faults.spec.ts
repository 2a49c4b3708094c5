import { eventually } from '@zen/testing';
import { createClient } from 'redis';
import { redisSuite } from '../../testing';

// A real redis-server is reconfigured under open stores here: generous on a busy machine.
jest.setTimeout(30_000);

/** Faults of a Redis that answers, seen from the stores: its eviction policy, a full client table. */

const suite = redisSuite();
let raw: ReturnType<typeof createClient>;

beforeEach(async () => {
  raw = createClient({ url: suite.redis.url });
  await raw.connect();
});
afterEach(async () => {
  await raw.configSet({ 'maxmemory-policy': 'noeviction', maxclients: '10000' });
  raw.destroy();
});

describe('Redis stores and the eviction policy', () => {
  it('warn at start when Redis may evict their keys (allkeys-lru)', async () => {
    await raw.configSet('maxmemory-policy', 'allkeys-lru');
    const events: string[] = [];
    const stores = await suite.open({ onEvent: (message) => events.push(message) });
    await eventually(() => stores.ready());
    await eventually(() => events.some((event) => event.includes('maxmemory-policy allkeys-lru')));
    expect(events.filter((event) => event.includes('maxmemory-policy'))).toEqual([
      expect.stringMatching(/^the session store \(Redis at 127\.0\.0\.1:\d+\) evicts keys when full .*noeviction$/),
    ]);
  });

  it('say nothing of it with noeviction', async () => {
    const events: string[] = [];
    const stores = await suite.open({ onEvent: (message) => events.push(message) });
    await eventually(() => stores.ready());
    // The check runs once connected: give it the time it takes.
    await new Promise((done) => setTimeout(done, 200));
    expect(events.filter((event) => event.includes('maxmemory-policy'))).toEqual([]);
  });
});

describe('Redis stores when their change feed cannot connect (maxclients reached)', () => {
  it('are not ready, naming the feed and the cause, and are again once it subscribes', async () => {
    const stores = await suite.open();
    await eventually(() => stores.ready());
    // In one step: no room for one more client, and the feed's connection dropped.
    const clients = Number(/connected_clients:(\d+)/.exec(await raw.info('clients'))?.[1]);
    await raw
      .multi()
      .configSet('maxclients', String(clients - 1))
      .clientKill({ filter: 'TYPE', type: 'pubsub' })
      .exec();
    await eventually(async () => (await stores.notReady())?.includes('max number of clients') ?? false);
    expect(await stores.ready()).toBe(false);
    expect(await stores.notReady()).toMatch(
      /^the change feed \(Redis at 127\.0\.0\.1:\d+\) is not subscribed: ERR max number of clients reached/,
    );
    await raw.configSet('maxclients', '10000');
    await eventually(() => stores.ready());
  });
});

describe('server sessions when Redis refuses writes for longer than the silence', () => {
  it('are not expired once Redis takes writes again: the silence was the fault, not a dead replica', async () => {
    const events: string[] = [];
    const silence = 600;
    const stores = await suite.open({
      serverSilenceMs: silence,
      heartbeatMs: 500,
      onEvent: (message) => events.push(message),
    });
    await eventually(() => stores.ready());
    const id = 'e0e0e0e0e0e0e0e0e0e0e0e0';
    await stores.sessions.create({ id, fields: { appname: 'zenserver' }, clientAddress: null, server: true });
    await raw.configSet('maxmemory', '1');
    try {
      // Every heartbeat and every expiry is refused (OOM) for well over the silence.
      await new Promise((done) => setTimeout(done, silence * 2.5));
    } finally {
      await raw.configSet('maxmemory', '0');
    }
    // A sweep runs every 200 ms and a heartbeat every 500: the old code expired it here.
    await new Promise((done) => setTimeout(done, 1500));
    expect((await stores.sessions.get(id))?.active).toBe(true);
    expect(events.filter((event) => event.includes(id))).toEqual([]);
  });
});
