import { formatSubscribeLogRefusal } from '@zen/contract';
import { appendLines, createSession, eventually, RedisServer, TcpProxy, WsTestClient } from '@zen/testing';
import WebSocket from 'ws';
import { RunningApp, startApp } from '../testing/running-app';
import { errors, seqs } from '../testing/ws-events';
import { LogFollowers } from './log-followers';

// A real redis-server is stopped and restarted here: generous on a busy machine.
jest.setTimeout(60_000);

/**
 * A `subscribe-log` sent while Redis cannot be reached (API.md, Scale-out: WebSocket clients
 * get an `error` event and their subscriptions resume without a gap): it is kept, and takes
 * effect once Redis is back, as the subscriptions made before the outage do.
 */

const ID = 'c1c1c1c1c1c1c1c1c1c1c1c1';
const OTHER = 'c2c2c2c2c2c2c2c2c2c2c2c2';
const UNKNOWN = 'c9c9c9c9c9c9c9c9c9c9c9c9';

/** The `error` event of a subscribe-log the store could not look up: it names the session and the store. */
const PENDING = (id: string) =>
  new RegExp(
    `^subscribe-log: session ${id} pending until the store answers: the session store \\(Redis at 127\\.0\\.0\\.1:\\d+\\) is unavailable`,
  );
const pending = (client: WsTestClient, id: string) => errors(client).filter((message) => PENDING(id).test(message));
/** Any `error` event of a subscribe-log of session `id` naming the store (what is waited for). */
const told = (client: WsTestClient, id: string) =>
  errors(client).filter(
    (message) => message.startsWith(`subscribe-log: session ${id} `) && message.includes('the session store (Redis at'),
  );
/** A moment for anything wrongly sent to arrive: several ticks of SESSIONS_WS_INTERVAL_MS. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

describe('subscribe-log while Redis cannot be reached (LOG_STORE=redis)', () => {
  let redis: RedisServer;
  let prefixes = 0;
  let app: RunningApp | undefined;
  const clients: WsTestClient[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    if (!redis.isRunning) await redis.restart();
    redis.resume();
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await redis.close();
  });

  async function start(env: Record<string, string> = {}): Promise<RunningApp> {
    app = await startApp({
      LOG_STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `outage${++prefixes}:`,
      REDIS_TIMEOUT_MS: '500',
      SESSIONS_WS_INTERVAL_MS: '100',
      WS_LOG_CHUNK: '2',
      ...env,
    });
    return app;
  }

  async function client(server: RunningApp): Promise<WsTestClient> {
    const made = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    clients.push(made);
    await made.opened();
    return made;
  }

  const create = (server: RunningApp, id: string) => createSession(server.url, id, { appname: 'outage' });
  const append = (server: RunningApp, id: string, lines: string[]) => appendLines(server.url, id, lines);

  /** Appends once Redis answers again (the first requests after a restart may still meet the old connection). */
  async function appendAfterOutage(server: RunningApp, id: string, lines: string[]): Promise<void> {
    await eventually(async () => (await append(server, id, lines)).status === 200, 20_000, `an append to ${id}`);
  }

  it('keeps a subscription sent while Redis is down, and sends everything from its cursor once it is back', async () => {
    const server = await start();
    expect((await create(server, ID)).status).toBe(201);
    await append(server, ID, ['a', 'b', 'c', 'd']);
    const watcher = await client(server);

    await redis.stop();
    watcher.send('subscribe-log', { id: ID, cursor: 1 });
    await eventually(() => told(watcher, ID).length === 1, 20_000, 'the error event naming the store');
    expect(watcher.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.app.get(LogFollowers).subscriptionCount()).toBe(1);

    await redis.restart();
    await appendAfterOutage(server, ID, ['e', 'f']);
    await eventually(() => seqs(watcher, ID).length >= 5, 20_000, 'the backlog and the new entries');
    await settle();
    expect(seqs(watcher, ID)).toEqual([1, 2, 3, 4, 5]);
    expect(watcher.of('log').every((event) => event.dropped === 0)).toBe(true);
    expect(watcher.of('log').at(-1)?.cursor).toBe(6);
    // One notice, saying the subscription waits for the store, and no refusal.
    expect(errors(watcher).filter((message) => message.startsWith('subscribe-log'))).toEqual([
      expect.stringMatching(PENDING(ID)),
    ]);

    // Live from now on, like any subscription.
    await append(server, ID, ['g']);
    await eventually(() => seqs(watcher, ID).length === 6, 20_000, 'an entry appended later');
    expect(seqs(watcher, ID)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a subscription sent while Redis is down as not found once Redis is back, if there is no such session', async () => {
    const server = await start();
    const watcher = await client(server);

    await redis.stop();
    watcher.send('subscribe-log', { id: UNKNOWN, cursor: 0 });
    await eventually(() => told(watcher, UNKNOWN).length === 1, 20_000, 'the error event naming the store');

    await redis.restart();
    const refusal = formatSubscribeLogRefusal({ id: UNKNOWN, reason: 'not found' });
    await eventually(() => errors(watcher).includes(refusal), 20_000, 'the not-found refusal');
    // A session of that id created now is not followed: the subscription was dropped.
    expect((await create(server, UNKNOWN)).status).toBe(201);
    await append(server, UNKNOWN, ['late']);
    await settle();
    expect(watcher.of('log')).toEqual([]);
    expect(errors(watcher).filter((message) => message.startsWith('subscribe-log'))).toEqual([
      expect.stringMatching(PENDING(UNKNOWN)),
      refusal,
    ]);
    expect(server.app.get(LogFollowers).subscriptionCount()).toBe(0);
  });

  it('cancels a subscription sent while Redis is down with unsubscribe-log, and keeps the others', async () => {
    const server = await start();
    for (const id of [ID, OTHER]) {
      expect((await create(server, id)).status).toBe(201);
      await append(server, id, ['before']);
    }
    const watcher = await client(server);

    await redis.stop();
    watcher.send('subscribe-log', { id: ID, cursor: 0 });
    watcher.send('subscribe-log', { id: OTHER, cursor: 0 });
    await eventually(
      () => told(watcher, ID).length === 1 && told(watcher, OTHER).length === 1,
      20_000,
      'both error events',
    );
    watcher.send('unsubscribe-log', { id: ID });
    await eventually(() => server.app.get(LogFollowers).subscriptionCount() === 1, 20_000, 'one subscription left');

    await redis.restart();
    await appendAfterOutage(server, ID, ['after']);
    await append(server, OTHER, ['after']);
    await eventually(() => seqs(watcher, OTHER).length === 2, 20_000, 'the other session, kept');
    await settle();
    expect(seqs(watcher, ID)).toEqual([]);
    expect(seqs(watcher, OTHER)).toEqual([0, 1]);
  });

  it('cancels a subscription with an unsubscribe-log sent before the stalled store answered its lookup', async () => {
    const server = await start();
    for (const id of [ID, OTHER]) expect((await create(server, id)).status).toBe(201);
    const watcher = await client(server);

    redis.pause();
    watcher.send('subscribe-log', { id: ID, cursor: 0 });
    watcher.send('unsubscribe-log', { id: ID });
    watcher.send('subscribe-log', { id: OTHER, cursor: 0 });
    // The lookups time out (REDIS_TIMEOUT_MS) while Redis is frozen: the unsubscribed one changes nothing.
    await eventually(() => told(watcher, OTHER).length === 1, 20_000, 'the error event of the other');
    expect(told(watcher, ID)).toEqual([]);
    expect(server.app.get(LogFollowers).subscriptionCount()).toBe(1);

    redis.resume();
    await appendAfterOutage(server, ID, ['after']);
    await append(server, OTHER, ['after']);
    await eventually(() => seqs(watcher, OTHER).length === 1, 20_000, 'the other session');
    await settle();
    expect(seqs(watcher, ID)).toEqual([]);
  });

  it('keeps one subscription per client and session, forgets them on disconnect, and bounds them per client', async () => {
    // At most MAX_SESSIONS + SESSIONS_RETAIN_ENDED subscriptions per client wait for the store.
    const server = await start({ MAX_SESSIONS: '2', SESSIONS_RETAIN_ENDED: '1' });
    const followers = server.app.get(LogFollowers);
    expect(followers.uncheckedLimit()).toBe(3);
    const watcher = await client(server);
    const other = await client(server);

    await redis.stop();
    for (let i = 1; i <= 5; i++) {
      watcher.send('subscribe-log', { id: ID, cursor: i });
      await eventually(() => pending(watcher, ID).length === i, 20_000, `error event ${i}`);
      expect(followers.subscriptionCount()).toBe(1);
    }

    const ids = ['d1d1d1d1d1d1d1d1d1d1d1d1', 'd2d2d2d2d2d2d2d2d2d2d2d2', 'd3d3d3d3d3d3d3d3d3d3d3d3'];
    for (const id of ids) other.send('subscribe-log', { id, cursor: 0 });
    await eventually(() => ids.every((id) => pending(other, id).length === 1), 20_000, 'three error events');
    other.send('subscribe-log', { id: UNKNOWN, cursor: 0 });
    await eventually(
      () => errors(other).some((message) => message.startsWith(`subscribe-log: session ${UNKNOWN} not subscribed: `)),
      20_000,
      'the refusal past the limit',
    );
    expect(pending(other, UNKNOWN)).toEqual([]);
    expect(followers.subscriptionCount()).toBe(4);

    other.ws.close();
    await eventually(() => followers.subscriptionCount() === 1, 20_000, "the closed client's subscriptions forgotten");
  });
});

describe('a subscription whose session Redis lost while it was away (LOG_STORE=redis)', () => {
  // No persistence: a restart comes back empty, as a Redis without appendonly does.
  let redis: RedisServer;
  let app: RunningApp | undefined;
  let other: RunningApp | undefined;
  let proxy: TcpProxy | undefined;
  let watcher: WsTestClient | undefined;

  beforeAll(async () => {
    redis = await RedisServer.start({ args: ['--appendonly', 'no'] });
  });
  afterEach(async () => {
    watcher?.ws.terminate();
    await app?.close();
    await other?.close();
    await proxy?.stop();
    app = other = proxy = undefined;
  });
  afterAll(async () => {
    await redis.close();
  });

  it('is refused as not found once Redis is back, so that it does not skip the log of a session created again under its id', async () => {
    app = await startApp({ LOG_STORE: 'redis', REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '500' });
    const server = app;
    const create = () => createSession(server.url, ID, { appname: 'lost' });
    const append = (lines: string[]) => appendLines(server.url, ID, lines);
    expect((await create()).status).toBe(201);
    expect((await append(['a', 'b', 'c'])).status).toBe(200);
    watcher = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await watcher.opened();
    const seen = watcher;
    seen.send('subscribe-log', { id: ID, cursor: 0 });
    await eventually(() => seqs(seen, ID).length === 3, 20_000, 'the backlog');

    await redis.stop();
    await redis.restart();
    const refusal = formatSubscribeLogRefusal({ id: ID, reason: 'not found' });
    // Before the fix nothing came: the follow stayed at cursor 3 and, once a session of that
    // id was created again, sent its log from seq 3 on, silently missing seq 0 to 2.
    await eventually(() => errors(seen).includes(refusal), 20_000, 'the not-found refusal');
    expect(server.app.get(LogFollowers).subscriptionCount()).toBe(0);

    await eventually(async () => (await create()).status === 201, 20_000, 'the session created again');
    expect((await append(['x', 'y', 'z', 'w'])).status).toBe(200);
    await settle();
    expect(seqs(seen, ID)).toEqual([0, 1, 2]);
  });

  it('is refused as not found once this replica is back, when another replica created the session again meanwhile', async () => {
    // This replica reaches Redis through a proxy the test cuts; the other replica directly.
    proxy = await TcpProxy.start(redis.port);
    const env = { LOG_STORE: 'redis', REDIS_KEY_PREFIX: 'recreated:', REDIS_TIMEOUT_MS: '500' };
    app = await startApp({ ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    other = await startApp({ ...env, REDIS_URL: redis.url });
    const [away, through] = [app, other];
    const create = (server: RunningApp) => createSession(server.url, ID, { appname: 'again' });
    const append = (server: RunningApp, lines: string[]) => appendLines(server.url, ID, lines);
    expect((await create(away)).status).toBe(201);
    expect((await append(away, ['a', 'b', 'c'])).status).toBe(200);
    watcher = new WsTestClient(`${away.wsUrl}/sessions/ws`);
    await watcher.opened();
    const seen = watcher;
    seen.send('subscribe-log', { id: ID, cursor: 0 });
    await eventually(() => seqs(seen, ID).length === 3, 20_000, 'the backlog');

    proxy.refusing = true;
    proxy.cut();
    await redis.restart();
    // Created again, with a log longer than the old cursor, before this replica reaches Redis again.
    await eventually(async () => (await create(through)).status === 201, 20_000, 'the session created again');
    expect((await append(through, ['x', 'y', 'z', 'w'])).status).toBe(200);
    proxy.refusing = false;

    const refusal = formatSubscribeLogRefusal({ id: ID, reason: 'not found' });
    // Before the fix the follow found a log at its cursor and went on from there: seq 3 of
    // the new session came, and seq 0 to 2 of it never did.
    await eventually(() => errors(seen).includes(refusal), 20_000, 'the not-found refusal');
    expect(away.app.get(LogFollowers).subscriptionCount()).toBe(0);
    await settle();
    expect(seqs(seen, ID)).toEqual([0, 1, 2]);
  });
});
