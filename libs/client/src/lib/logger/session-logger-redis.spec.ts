import type { LogEntry } from '@zen/contract';
import { BuiltServer, eventually, FaultProxy, RedisServer } from '@zen/testing';
import { LiveClient } from '../live/live-client';
import { nodeWebSocketFactory } from '../live/node-websocket';
import { SessionsClient } from '../rest/sessions-client';
import { createSessionLogger, SessionLogger } from './session-logger';

describe('session logger on the Redis store, through its outages', () => {
  let redis: RedisServer;
  let server: BuiltServer;
  let client: SessionsClient;
  const loggers: SessionLogger[] = [];
  const messages = async (id: string) =>
    (await client.logs.readAll(id)).entries.map((entry) => `${entry.level} ${entry.message}`);

  beforeAll(async () => {
    redis = await RedisServer.start({ args: ['--appendfsync', 'always'] });
    server = await BuiltServer.start({
      LOG_STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'client-logger-faults:',
      // Generous: an append slower than this on a busy machine is answered 503 and, sent again, held twice.
      REDIS_TIMEOUT_MS: '3000',
      SESSIONS_TIMEOUT_S: '2',
    });
    client = new SessionsClient({ server: server.url });
  });
  afterEach(async () => {
    await Promise.all(loggers.splice(0).map((each) => each.close(2_000).catch(() => undefined)));
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.close();
  });

  it('keeps its session alive through an outage: no retry waits longer than heartbeatMs, so it beats within the grace', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      // A heartbeat well within SESSIONS_TIMEOUT_S, as the README advises; the retries' defaults.
      const log = createSessionLogger({ server: proxy.url, appname: 'clientfaults-outage', heartbeatMs: 500 });
      loggers.push(log);
      log.info('before');
      await log.flush();

      await redis.kill();
      log.info('during');
      const refused = () => proxy.seen.filter((request) => request.answer?.status === 503);
      // Long enough for a backoff to 10 s to wait 2 s and more between two tries.
      await eventually(() => refused().length >= 6, 30_000, 'six tries refused while Redis is away');
      await redis.restart();
      await log.flush(20_000);

      // The server gives sessions SESSIONS_TIMEOUT_S after the store is back before expiring them: a
      // logger that waited longer than its heartbeat to try again found its session expired (409).
      const tries = proxy.seen.filter((request) => request.answer);
      const waits = tries.slice(1).map((request, i) => request.at - (tries[i].answer?.at ?? 0));
      const afterRefusals = waits.filter((_, i) => tries[i].answer?.status === 503);
      // At most 500 ms with the heartbeat's bound (slack for a busy machine); 2 s and more without it.
      expect(Math.max(...afterRefusals)).toBeLessThan(500 + 1000);
      expect((await client.sessions.get(log.id)).status).toBe('active');
      expect(await messages(log.id)).toEqual(['info before', 'info during']);
    } finally {
      await proxy.stop();
    }
  });

  it('sends every entry once and in order through a Redis crash and restart, and a live follower gets each once', async () => {
    const warnings: string[] = [];
    const log = createSessionLogger({
      server: server.url,
      appname: 'clientfaults-crash',
      retryMaxMs: 500,
      heartbeatMs: 1_000, // within SESSIONS_TIMEOUT_S
      onWarning: (warning) => warnings.push(warning),
    });
    loggers.push(log);
    await log.flush();
    const live = new LiveClient({ server: server.url, webSocket: nodeWebSocketFactory, sessionLookup: client });
    const followed: LogEntry[] = [];
    live.followLog(log.id, 0, { onEntries: (entries) => followed.push(...entries) });
    try {
      const logged: string[] = [];
      const logSome = async (count: number) => {
        for (let i = 0; i < count; i++) {
          logged.push(`m${logged.length}`);
          log.info(logged[logged.length - 1]);
          await new Promise((pause) => setTimeout(pause, 2));
        }
      };
      await logSome(100);
      // Killed with no append out: one Redis wrote but could not answer would be sent again and
      // held twice (delivery is at least once); this test is of what is held while Redis is away.
      await log.flush();
      await redis.kill();
      await logSome(200);
      await eventually(() => warnings.length > 0, 10_000, 'the outage to be noticed');
      await redis.restart();
      await logSome(100);
      await log.flush(20_000);

      expect(warnings).toEqual([expect.stringMatching(/the session store \(Redis at .*\) is unavailable/)]);
      const held = (await client.logs.readAll(log.id)).entries;
      expect(held.map((entry) => entry.message)).toEqual(logged);
      expect(held.map((entry) => entry.seq)).toEqual(logged.map((_, seq) => seq));
      await eventually(() => followed.length >= logged.length, 20_000, 'the follower to catch up');
      expect(followed.map((entry) => `${entry.seq} ${entry.message}`)).toEqual(
        held.map((entry) => `${entry.seq} ${entry.message}`),
      );
    } finally {
      live.close();
    }
  });
});
