import { ErrorResponse, Session } from '@zen/contract';
import { createClient } from 'redis';
import { createSession, eventually, freePort, JSON_HEADERS, RedisServer } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';

// Real redis-servers are reconfigured under a running app here: generous on a busy machine.
jest.setTimeout(30_000);

/**
 * Faults a real Redis produces that are not "down": it answers, but refuses (full,
 * failing to persist, a read-only replica, a wrong password). Each: the request answers
 * `503` naming the cause, changes nothing, `/health/ready` says the same, and the replica
 * recovers by itself once the fault ends.
 */

const ID = 'f0f0f0f0f0f0f0f0f0f0f0f0';
const ID2 = 'f1f1f1f1f1f1f1f1f1f1f1f1';

const create = (app: RunningApp, id: string) => createSession(app.url, id, { appname: 'farm' });
const append = (app: RunningApp, id: string, messages: string[]) =>
  fetch(`${app.url}/sessions/${id}/log`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ entries: messages.map((message) => ({ message })) }),
  });
const session = async (app: RunningApp, id: string) =>
  (await (await fetch(`${app.url}/sessions/${id}`)).json()) as Session;
const readiness = async (app: RunningApp) => {
  const answer = await fetch(`${app.url}/health/ready`);
  return {
    status: answer.status,
    message: answer.status === 200 ? '' : ((await answer.json()) as ErrorResponse).message,
  };
};

/** What the running app has printed (startApp silences it with a spy on stdout). */
function printed(): string {
  const write = process.stdout.write as unknown as jest.Mock;
  return write.mock.calls.map(([chunk]) => String(chunk)).join('');
}

async function expect503(answer: Response, cause: RegExp): Promise<void> {
  expect(answer.status).toBe(503);
  const body = (await answer.json()) as ErrorResponse;
  expect(body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(cause) });
  // Where in a script Redis refused is noise to a client.
  expect(body.message).not.toMatch(/@user_script|script: [0-9a-f]{40}/);
}

describe('LOG_STORE=redis when Redis answers but refuses', () => {
  let redis: RedisServer;
  let raw: ReturnType<typeof createClient>;
  let prefixes = 0;
  const running: RunningApp[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start({ args: ['--enable-protected-configs', 'local'] });
    raw = createClient({ url: redis.url });
    await raw.connect();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    raw.destroy();
    await redis.close();
  });

  /** A replica on the test's Redis with a prefix of its own, started but maybe not ready. */
  async function replica(env: Record<string, string> = {}): Promise<RunningApp> {
    const started = await startApp({
      LOG_STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `faults${++prefixes}:`,
      REDIS_TIMEOUT_MS: '1000',
      ...env,
    });
    running.push(started);
    return started;
  }

  /** A replica, once ready. */
  async function app(env: Record<string, string> = {}): Promise<RunningApp> {
    const started = await replica(env);
    await eventually(async () => (await readiness(started)).status === 200);
    return started;
  }

  /** A replica connecting as the ACL user `farm` (made by the test). */
  const asFarm = (env: Record<string, string> = {}) =>
    replica({ REDIS_URL: `redis://farm:farm-pass@127.0.0.1:${redis.port}`, ...env });

  it('full (maxmemory, noeviction): 503 naming OOM, nothing half-applied, not ready, and recovers', async () => {
    const a = await app();
    expect((await create(a, ID)).status).toBe(201);
    expect((await append(a, ID, ['one', 'two'])).status).toBe(200);
    await raw.configSet('maxmemory', '1');
    try {
      await expect503(await append(a, ID, ['three', 'four']), /session store \(Redis at .*\).*OOM/);
      await expect503(await create(a, ID2), /session store \(Redis at .*\).*OOM/);
      // Reads still work, and the refused append changed nothing.
      expect((await session(a, ID)).logCursor).toBe(2);
      const ready = await readiness(a);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(/^not ready: store: the session store \(Redis at .*\) .*OOM/);
    } finally {
      await raw.configSet('maxmemory', '0');
    }
    await eventually(async () => (await readiness(a)).status === 200);
    expect((await append(a, ID, ['three'])).status).toBe(200);
    expect(await session(a, ID)).toMatchObject({ logCursor: 3, logCount: 3 });
    expect((await fetch(`${a.url}/sessions/${ID2}`)).status).toBe(404);
  });

  it('failing to persist (MISCONF): 503 naming it, not ready naming it (not "cannot be reached"), and recovers', async () => {
    const a = await app();
    expect((await create(a, ID)).status).toBe(201);
    const dir = (await raw.configGet('dir'))['dir'];
    await raw.configSet({ save: '3600 1', 'stop-writes-on-bgsave-error': 'yes', dir: '/proc' });
    try {
      await raw.bgSave();
      await eventually(async () => (await raw.info('persistence')).includes('rdb_last_bgsave_status:err'));
      await expect503(await append(a, ID, ['lost']), /session store \(Redis at .*\).*MISCONF/);
      const ready = await readiness(a);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(/^not ready: store: the session store \(Redis at .*\) .*MISCONF/);
    } finally {
      await raw.configSet({ dir, save: '' });
    }
    await raw.bgSave();
    await eventually(async () => (await raw.info('persistence')).includes('rdb_last_bgsave_status:ok'));
    await eventually(async () => (await readiness(a)).status === 200);
    expect((await append(a, ID, ['kept'])).status).toBe(200);
    expect((await session(a, ID)).logCursor).toBe(1);
  });

  it('a read-only replica (demoted by REPLICAOF): 503 naming READONLY, not ready naming it, and recovers', async () => {
    const a = await app();
    expect((await create(a, ID)).status).toBe(201);
    // A master that is not there: Redis becomes a replica, keeps its data, and refuses writes.
    await raw.replicaOf('127.0.0.1', await freePort());
    try {
      await expect503(await append(a, ID, ['refused']), /session store \(Redis at .*\).*READONLY/);
      await expect503(await create(a, ID2), /session store \(Redis at .*\).*READONLY/);
      const ready = await readiness(a);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(/^not ready: store: the session store \(Redis at .*\) .*READONLY/);
    } finally {
      await raw.sendCommand(['REPLICAOF', 'NO', 'ONE']);
    }
    await eventually(async () => (await readiness(a)).status === 200);
    expect((await append(a, ID, ['accepted'])).status).toBe(200);
    expect((await session(a, ID)).logCursor).toBe(1);
  });

  it('read-only at start: a listing answers 503 naming READONLY, never serverSessionId "", until the session is made', async () => {
    // Found by review: the create of the server session was refused, the listing read fine, and
    // answered 200 naming "" (API.md: serverSessionId names the answering replica's session).
    await raw.replicaOf('127.0.0.1', await freePort());
    let a: RunningApp;
    try {
      a = await startApp({ LOG_STORE: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: `faults${++prefixes}:` });
      running.push(a);
      await expect503(await fetch(`${a.url}/sessions/`), /session store \(Redis at .*\).*READONLY.*no session yet/);
    } finally {
      await raw.sendCommand(['REPLICAOF', 'NO', 'ONE']);
    }
    const listed = await fetch(`${a.url}/sessions/`);
    expect(listed.status).toBe(200);
    const { serverSessionId, sessions } = (await listed.json()) as { serverSessionId: string; sessions: Session[] };
    expect(sessions.find((session) => session.id === serverSessionId)).toMatchObject({ appname: 'zenserver' });
  });

  it('full for longer than SESSIONS_TIMEOUT_S: a session whose heartbeats were refused may still beat once Redis has room', async () => {
    const a = await app({ SESSIONS_TIMEOUT_S: '2' });
    expect((await create(a, ID)).status).toBe(201);
    await raw.configSet('maxmemory', '1');
    try {
      // The client's heartbeats are refused, and so is every sweep that tries to expire its session.
      for (let i = 0; i < 3; i++) {
        expect((await fetch(`${a.url}/sessions/${ID}`, { method: 'POST' })).status).toBe(503);
        await new Promise((done) => setTimeout(done, 1000));
      }
    } finally {
      await raw.configSet('maxmemory', '0');
    }
    // Half the timeout after Redis has room (sweeps run every 500 ms): the old code had expired it.
    await new Promise((done) => setTimeout(done, 1000));
    expect((await fetch(`${a.url}/sessions/${ID}`, { method: 'POST' })).status).toBe(200);
    expect(await session(a, ID)).toMatchObject({ status: 'active', endReason: null });
  });

  // Large reads take turns per replica (stop 44): one that waited too long for its turn is refused
  // unsent, with a reason and a time to retry.
  it('a download that waited REDIS_LARGE_READ_WAIT_MS for its turn: 503 with Retry-After naming why; the others are served', async () => {
    const a = await app({ REDIS_LARGE_READ_WAIT_MS: '0' });
    expect((await create(a, ID)).status).toBe(201);
    // 2 MB of log: each download is a while in Redis, so five sent at once overlap.
    for (let i = 0; i < 4; i++) expect((await append(a, ID, new Array(500).fill('x'.repeat(1000)))).status).toBe(200);
    let refused: { retryAfter: string | null; body: ErrorResponse } | undefined;
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${a.url}/sessions/${ID}/log`)));
      for (const answer of answers) {
        if (answer.status === 200) {
          expect(((await answer.json()) as { entries: unknown[] }).entries).toHaveLength(2000);
          continue;
        }
        expect(answer.status).toBe(503);
        refused = { retryAfter: answer.headers.get('retry-after'), body: (await answer.json()) as ErrorResponse };
      }
      return refused !== undefined;
    });
    expect(refused).toEqual({
      retryAfter: '1',
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(
          /^the session store \(Redis at 127\.0\.0\.1:\d+\) is unavailable: too many large reads at once \(1 at a time, REDIS_LARGE_READS\): it waited 0 ms for its turn; retry$/,
        ),
      },
    });
    // Refusing sent nothing to Redis: the replica is ready, and its next download is served.
    expect((await readiness(a)).status).toBe(200);
    expect((await fetch(`${a.url}/sessions/${ID}/log`)).status).toBe(200);
  });

  it('a wrong password: starts, not ready naming WRONGPASS, never showing the password', async () => {
    const locked = await RedisServer.start({ args: ['--requirepass', 'right-password'] });
    try {
      const a = await startApp({
        LOG_STORE: 'redis',
        REDIS_URL: `redis://:wrong-password@127.0.0.1:${locked.port}`,
        REDIS_TIMEOUT_MS: '300',
      });
      running.push(a);
      const ready = await readiness(a);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(
        /^not ready: store: the session store \(Redis at 127\.0\.0\.1:\d+\) .*WRONGPASS .*\(the user and password of REDIS_URL\)/,
      );
      const refused = await create(a, ID);
      expect(refused.status).toBe(503);
      expect(JSON.stringify(await refused.json()) + ready.message).not.toMatch(/password@|wrong-password/);
    } finally {
      await locked.close();
    }
  });

  // Found in stop 51: Redis's words name no setting, and an operator was left to guess which was wrong.
  it('no password where Redis requires one: not ready, the request and the log naming REDIS_URL', async () => {
    const locked = await RedisServer.start({ args: ['--requirepass', 'right-password'] });
    try {
      const a = await startApp({ LOG_STORE: 'redis', REDIS_URL: locked.url, REDIS_TIMEOUT_MS: '300' });
      running.push(a);
      const why =
        /NOAUTH .*\(REDIS_URL gives no password, and this Redis requires one: redis:\/\/\[user\]:password@host:port\)/;
      const ready = await readiness(a);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(
        /^not ready: store: the session store \(Redis at 127\.0\.0\.1:\d+\) cannot be reached: NOAUTH/,
      );
      expect(ready.message).toMatch(why);
      await expect503(await create(a, ID), why);
      expect(printed()).toMatch(
        new RegExp(`WARN.*the session store \\(Redis at 127\\.0\\.0\\.1:\\d+\\) is unavailable: ${why.source}`),
      );
    } finally {
      await locked.close();
    }
  });

  // Found in stop 51: readiness wrote one key, so a user the ACL refused XADD was ready while
  // every append was refused, as `ERR The user executing the script can't run this command`.
  it('an ACL user without a command the store needs (XADD): not ready naming it, as requests and the log; back once allowed', async () => {
    await raw.sendCommand(['ACL', 'SETUSER', 'farm', 'reset', 'on', '>farm-pass', '~*', '&*', '+@all', '-xadd']);
    try {
      const a = await asFarm();
      const why =
        /Redis's ACL refuses REDIS_URL's user XADD, which the store needs \(on keys and the channel under its REDIS_KEY_PREFIX\)/;
      const ready = await readiness(a);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(
        new RegExp(
          `^not ready: store: the session store \\(Redis at 127\\.0\\.0\\.1:\\d+\\) is unavailable: ${why.source}`,
        ),
      );
      // Nothing is sent while the ACL refuses a command a script may need (see the XTRIM test).
      await expect503(await create(a, ID), why);
      expect(printed()).toMatch(new RegExp(`WARN.*is unavailable: ${why.source}`));
      await raw.sendCommand(['ACL', 'SETUSER', 'farm', '+xadd']);
      await eventually(async () => (await readiness(a)).status === 200);
      expect(printed()).toMatch(/lets REDIS_URL's user run every command it needs again/);
      expect((await create(a, ID)).status).toBe(201);
      expect((await append(a, ID, ['accepted'])).status).toBe(200);
      expect((await session(a, ID)).logCursor).toBe(1);
    } finally {
      await raw.sendCommand(['ACL', 'DELUSER', 'farm']);
    }
  });

  // Found in stop 51: Redis checks the ACL at each command of a script, so an append refused XTRIM
  // (run only once a log is full) had written its stream entry but not its counters, and every later
  // append to that log was refused (`The ID specified in XADD is equal or smaller …`) for good.
  it('an ACL that stops allowing XTRIM while the replica runs: appends refused whole, the log appendable once allowed', async () => {
    await raw.sendCommand(['ACL', 'SETUSER', 'farm', 'reset', 'on', '>farm-pass', '~*', '&*', '+@all']);
    try {
      const a = await asFarm({ LOG_CAPACITY: '2' });
      await eventually(async () => (await readiness(a)).status === 200);
      expect((await create(a, ID)).status).toBe(201);
      expect((await append(a, ID, ['one'])).status).toBe(200);
      expect((await append(a, ID, ['two'])).status).toBe(200);
      await raw.sendCommand(['ACL', 'SETUSER', 'farm', '-xtrim']);
      await eventually(async () => (await readiness(a)).message.includes("refuses REDIS_URL's user XTRIM"));
      await expect503(await append(a, ID, ['three']), /Redis's ACL refuses REDIS_URL's user XTRIM/);
      await raw.sendCommand(['ACL', 'SETUSER', 'farm', '+xtrim']);
      await eventually(async () => (await readiness(a)).status === 200);
      expect(await session(a, ID)).toMatchObject({ logCursor: 2, logCount: 2 });
      const answer = await append(a, ID, ['three']);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ appended: 1, cursor: 3 });
      const log = (await (await fetch(`${a.url}/sessions/${ID}/log`)).json()) as { entries: { message: string }[] };
      expect(log.entries.map((entry) => entry.message)).toEqual(['two', 'three']);
    } finally {
      await raw.sendCommand(['ACL', 'DELUSER', 'farm']);
    }
  });

  // Found in stop 57: an append refused after the rate limits had counted it had spent its entries
  // from the session's and the client's budgets, so a retry was refused 429 though nothing had been
  // appended. The ACL makes the refusal come exactly after the charge: the buckets' keys stay
  // allowed, the log's are refused (Redis refuses the whole script, before it runs).
  it('an append the store refuses after the rate limits counted it: 503, and both budgets given back', async () => {
    const prefix = `faults${++prefixes}:`;
    const lines = (count: number) => Array.from({ length: count }, (_, i) => `line ${i}`);
    await raw.sendCommand(['ACL', 'SETUSER', 'farm', 'reset', 'on', '>farm-pass', '~*', '&*', '+@all']);
    try {
      const a = await asFarm({
        REDIS_KEY_PREFIX: prefix,
        MAX_APPEND_ENTRIES_PER_S: '10',
        MAX_CLIENT_APPEND_ENTRIES_PER_S: '10',
      });
      await eventually(async () => (await readiness(a)).status === 200);
      expect((await create(a, ID)).status).toBe(201);
      // Half of each second's worth; the replica now knows the session appendable (no read of its hash).
      expect((await append(a, ID, lines(5))).status).toBe(200);
      await raw.sendCommand(['ACL', 'SETUSER', 'farm', 'resetkeys', `~${prefix}rate:*`]);
      try {
        // Passes both limits (neither bucket is empty) and is counted: 50 entries, 4.5 s of debt each.
        await expect503(await append(a, ID, lines(50)), /NOPERM .*\(Redis's ACL for REDIS_URL's user\)/);
      } finally {
        await raw.sendCommand(['ACL', 'SETUSER', 'farm', 'allkeys']);
      }
      // Either budget spent would answer 429 here for seconds.
      expect((await append(a, ID, lines(5))).status).toBe(200);
      expect(await session(a, ID)).toMatchObject({ logCursor: 10, logCount: 10 });
    } finally {
      await raw.sendCommand(['ACL', 'DELUSER', 'farm']);
    }
  });

  it('an ACL user without EVALSHA: not ready naming it and REDIS_URL, not only "no server session yet"', async () => {
    await raw.sendCommand(['ACL', 'SETUSER', 'farm', 'reset', 'on', '>farm-pass', '~*', '&*', '+@all', '-evalsha']);
    try {
      const a = await asFarm();
      const ready = await readiness(a);
      expect(ready.status).toBe(503);
      expect(ready.message).toMatch(
        /^not ready: store: the session store \(Redis at 127\.0\.0\.1:\d+\) is unavailable: NOPERM .*'evalsha' command \(Redis's ACL for REDIS_URL's user\)/,
      );
      await expect503(await create(a, ID), /NOPERM .*'evalsha' command \(Redis's ACL for REDIS_URL's user\)/);
    } finally {
      await raw.sendCommand(['ACL', 'DELUSER', 'farm']);
    }
  });

  it('a database Redis does not have (/16 of the default 16): not ready, the request and the log naming REDIS_URL', async () => {
    const a = await startApp({ LOG_STORE: 'redis', REDIS_URL: `${redis.url}/16`, REDIS_TIMEOUT_MS: '300' });
    running.push(a);
    const why =
      /ERR DB index is out of range \(REDIS_URL names database 16; this Redis has only as many as its `databases` setting, 16 by default, numbered from 0\)/;
    const ready = await readiness(a);
    expect(ready.status).toBe(503);
    expect(ready.message).toMatch(
      /^not ready: store: the session store \(Redis at 127\.0\.0\.1:\d+\) cannot be reached: ERR DB/,
    );
    expect(ready.message).toMatch(why);
    await expect503(await create(a, ID), why);
    expect(printed()).toMatch(
      new RegExp(`WARN.*the session store \\(Redis at 127\\.0\\.0\\.1:\\d+\\) is unavailable: ${why.source}`),
    );
  });
});
