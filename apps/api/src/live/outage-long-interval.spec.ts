import { createClient } from 'redis';
import { JSON_HEADERS, RedisServer, WsTestClient } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';
import { errors, seqs } from '../testing/ws-events';

// A real redis-server is stopped and restarted here: generous on a busy machine.
jest.setTimeout(60_000);

const ID = 'd1d1d1d1d1d1d1d1d1d1d1d1';

/**
 * API.md (Scale-out): while Redis cannot be reached, WebSocket clients get an `error` event and
 * keep their connection, and their subscriptions resume without a gap. That must not wait for
 * the periodic `sessions` push, whose period (SESSIONS_WS_INTERVAL_MS) may be long, nor depend on
 * the client's mode.
 */
describe('a Redis outage with a long SESSIONS_WS_INTERVAL_MS', () => {
  let redis: RedisServer;
  let app: RunningApp | undefined;
  const clients: WsTestClient[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    await app?.close();
    await redis.close();
  });

  it('reaches full-list and delta clients with an error event, and their subscriptions resume', async () => {
    app = await startApp({
      LOG_STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'long-interval:',
      REDIS_TIMEOUT_MS: '500',
      SESSIONS_WS_INTERVAL_MS: '600000',
    });
    const server = app;
    const append = (line: string) =>
      fetch(`${server.url}/sessions/${ID}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: line,
      });
    expect(
      (await fetch(`${server.url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"x"}' }))
        .status,
    ).toBe(201);
    expect((await append('before')).status).toBe(200);

    const full = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    const delta = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    clients.push(full, delta);
    await full.until((frames) => frames.some((frame) => frame.event === 'sessions'));
    await delta.until((frames) => frames.some((frame) => frame.event === 'sessions'));
    delta.send('subscribe-sessions', { mode: 'delta' });
    await delta.until((frames) => frames.filter((frame) => frame.event === 'sessions').length >= 2);
    full.send('subscribe-log', { id: ID, cursor: 0 });
    await full.until(() => seqs(full, ID).length === 1);

    // Redis holds every command for 5 s but keeps its connections, the change feed's too: only a
    // look at the store finds the outage (a stopped Redis would drop the feed, told at once anyway).
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      await raw.sendCommand(['CLIENT', 'PAUSE', '5000', 'ALL']);
      for (const client of [full, delta]) {
        await client.until(() => errors(client).some((message) => message.includes('is unavailable')), 4_500);
      }
      // Answered once the pause is over (an append refused meanwhile would still be made then).
      await raw.ping();
    } finally {
      raw.destroy();
    }
    expect((await append('after')).status).toBe(200);
    await full.until(() => seqs(full, ID).length === 2, 10_000);
    expect(seqs(full, ID)).toEqual([0, 1]);
    expect(full.closeCode).toBeNull();
    expect(delta.closeCode).toBeNull();
  });
});
