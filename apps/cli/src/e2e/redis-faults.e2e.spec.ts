import { SessionsClient } from '@zen/client';
import { BuiltServer, RedisServer, cli } from '@zen/testing';
import { createClient } from 'redis';

/** The commands against a healthy server whose Redis store is in trouble. */
describe('zen-sessions against a server on a Redis store in trouble', () => {
  let redis: RedisServer;
  let raw: ReturnType<typeof createClient>;
  let server: BuiltServer;
  let client: SessionsClient;

  beforeAll(async () => {
    redis = await RedisServer.start();
    raw = createClient({ url: redis.url });
    await raw.connect();
    server = await BuiltServer.start({ LOG_STORE: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'clifaults:' });
    client = new SessionsClient({ server: server.url });
  });
  afterAll(async () => {
    await server?.stop();
    raw?.destroy();
    await redis?.close();
  });

  it('log from stdin names the store s answer when Redis is full (reads work, writes refused), exit 1, one line', async () => {
    const { id } = await client.sessions.create({ appname: 'clifaults-log-oom' });
    await raw.configSet({ 'maxmemory-policy': 'noeviction', maxmemory: '1' });
    try {
      const oom =
        /^zen-sessions: the server answered 503: the session store \(Redis at [\d.:]+\) is unavailable: OOM command not allowed/;
      const line = await cli(['log', id], { env: { ZEN_SESSIONS_URL: server.url }, input: 'a\n' });
      expect(line.code).toBe(1);
      expect(line.stderr).toMatch(oom);
      expect(line.stderr).toMatch(/\(1 log entry not sent\)\n$/);
      expect(line.stderr.split('\n')).toHaveLength(2);
      const empty = await cli(['log', id], { env: { ZEN_SESSIONS_URL: server.url }, input: '' });
      expect(empty.code).toBe(1);
      expect(empty.stderr).toMatch(oom);
      expect(empty.stderr.split('\n')).toHaveLength(2);
    } finally {
      await raw.configSet('maxmemory', '0');
    }
  });
});
