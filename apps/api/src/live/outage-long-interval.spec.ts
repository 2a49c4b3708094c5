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

    await redis.stop();
    for (const client of [full, delta]) {
      await client.until(
        () => errors(client).some((message) => message.includes('the session store (Redis at')),
        5_000,
      );
    }
    await redis.restart();
    let answered = 0;
    for (let tries = 0; answered !== 200 && tries < 300; tries++) {
      answered = (await append('after')).status;
      if (answered !== 200) await new Promise((done) => setTimeout(done, 50));
    }
    expect(answered).toBe(200);
    await full.until(() => seqs(full, ID).length === 2, 10_000);
    expect(seqs(full, ID)).toEqual([0, 1]);
    expect(full.closeCode).toBeNull();
    expect(delta.closeCode).toBeNull();
  });
});
