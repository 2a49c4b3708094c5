import { LogEntry, Session } from '@zen/contract';
import {
  appendLines,
  BuiltServer,
  cli as runCli,
  eventually,
  JSON_HEADERS,
  killRunningClis,
  RedisServer,
  scrapeMetric,
  sessionIdOf,
  startCli as spawnCli,
} from '@zen/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingRun } from './counting-run';
import { replicasReady, ScaleOut, startScaleOut } from './nginx';

/** The built CLI against `server` (its ZEN_SESSIONS_URL), stdin closed after `input` (or left open: null). */
const startCli = (server: string, args: string[], input: string | null = '') =>
  spawnCli(args, { env: { ZEN_SESSIONS_URL: server }, input: input ?? undefined });

/** The built CLI against `server`, run to its exit. */
const cli = (server: string, args: string[], input?: string) =>
  runCli(args, { env: { ZEN_SESSIONS_URL: server }, input });

/** A session created through `server` (its id given by the server). */
async function createSession(server: string, body: object): Promise<string> {
  const res = await fetch(`${server}/sessions/`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as Session).id;
}

/** Appends `lines` to session `id` through `server` as text (libs/testing's `appendLines`), answered 200. */
async function appended(server: string, id: string, lines: string[]): Promise<void> {
  expect((await appendLines(server, id, lines)).status).toBe(200);
}

/** The seqs a `tail --format ndjson` printed so far. */
function printedSeqs(out: { stdout: string }): number[] {
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as LogEntry).seq);
}

/**
 * The `zen-sessions` command line as a build farm runs it against two replicas on one Redis behind
 * deploy/scale-out's nginx (round-robin): every request may land on either replica.
 */
describe('zen-sessions against two replicas behind nginx (built server and CLI, one Redis)', () => {
  let scaleOut: ScaleOut;
  let redis: RedisServer;
  let replicas: BuiltServer[] = [];
  let proxy: string;
  let dir: string;

  const session = async (id: string) => (await (await fetch(`${proxy}/sessions/${id}`)).json()) as Session;
  const readAll = async (id: string) =>
    ((await (await fetch(`${proxy}/sessions/${id}/log?cursor=0&limit=10000`)).json()) as { entries: LogEntry[] })
      .entries;
  const bothReady = () => replicasReady(replicas);
  /**
   * Once session `id` has 50 lines, SIGKILLs each replica in turn while its lines keep coming: each
   * is restarted once 50 more have been logged through the other, and both are ready again before
   * the next round.
   */
  const killEachReplicaWhileLogging = async (id: string) => {
    await eventually(async () => (await session(id)).logCursor > 50, 30_000, 'lines logged');
    for (let round = 0; round < 2; round++) {
      const replica = replicas[round % 2];
      await replica.stop('SIGKILL');
      const at = (await session(id)).logCursor;
      await eventually(async () => (await session(id)).logCursor > at + 50, 30_000, 'lines after the kill');
      await replica.restart();
      await bothReady();
    }
  };

  beforeAll(async () => {
    scaleOut = await startScaleOut({ LOG_CAPACITY: '100000' });
    ({ redis, replicas, proxied: proxy } = scaleOut);
    dir = mkdtempSync(join(tmpdir(), 'zen-cli-replicas-'));
  });

  afterAll(async () => {
    await killRunningClis();
    await scaleOut?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('run: levels from markers, streams, exit code and metadata, whichever replica answers', async () => {
    const script = `console.log('LogCook: Display: one'); console.error('LogCook: Warning: two');
      console.log('LogCook: Error: three'); console.error('plain err'); console.log('Verbose: four');
      process.stdout.write('partial'); process.exitCode = 7;`;
    const run = await cli(proxy, [
      'run',
      '--appname',
      'cli-rep-run',
      '--meta',
      'k=v',
      '--',
      process.execPath,
      '-e',
      script,
    ]);
    expect(run.code).toBe(7);
    const id = sessionIdOf(run.stderr);
    const log = await readAll(id);
    // Order is kept within a stream (README: two pipes).
    const stream = (name: string) =>
      log.filter((entry) => entry.data?.['stream'] === name).map((entry) => [entry.level, entry.message]);
    expect(log).toHaveLength(6);
    expect(stream('stdout')).toEqual([
      ['info', 'LogCook: Display: one'],
      ['error', 'LogCook: Error: three'],
      ['debug', 'Verbose: four'],
      ['info', 'partial'],
    ]);
    expect(stream('stderr')).toEqual([
      ['warn', 'LogCook: Warning: two'],
      ['warn', 'plain err'],
    ]);
    expect(await session(id)).toMatchObject({
      status: 'ended',
      appname: 'cli-rep-run',
      metadata: { k: 'v', exitCode: 7, signal: null },
    });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('run: %s to the wrapper is passed on', async (signal) => {
    const run = startCli(proxy, [
      'run',
      '--appname',
      'cli-rep-signal',
      '--',
      process.execPath,
      '-e',
      `
      let n = 0; const t = setInterval(() => console.log('tick ' + n++), 20);
      process.once('${signal}', () => { clearInterval(t); console.log('got it'); setTimeout(() => process.kill(process.pid, '${signal}'), 10); });`,
    ]);
    await eventually(() => /tick 3/.test(run.stdout), 30_000, 'ticks');
    run.child.kill(signal);
    const { code } = await run.done;
    expect(code).toBe(128 + (signal === 'SIGINT' ? 2 : 15));
    const id = sessionIdOf(run.stderr);
    const ended = await session(id);
    expect(ended).toMatchObject({ status: 'ended', metadata: { exitCode: null, signal } });
    const log = await readAll(id);
    expect(log.at(-1)?.message).toBe('got it');
  });

  it('run: a replica SIGKILLed while the command prints: every line once, in order, the exit code kept', async () => {
    const run = startCountingRun(proxy, dir, 'cli-rep-kill', { exitCode: 5, everyMs: 5 });
    const id = await run.cli.sessionId();
    await killEachReplicaWhileLogging(id);
    const { code, stderr, printed } = await run.finish();
    expect(code).toBe(5);
    // A request out as its replica died is nginx's 502 (it cannot repeat a POST): one warning at most.
    const said = stderr.split('\n').filter((line) => line && !/^zen-sessions: (session|http)/.test(line));
    expect(said.length).toBeLessThanOrEqual(1);
    expect((await readAll(id)).map((entry) => entry.message)).toEqual(printed);
    expect(await session(id)).toMatchObject({ status: 'ended', metadata: { exitCode: 5, signal: null } });
  }, 120_000);

  it('run: Redis stopped for a few seconds mid-run: lines held and sent, the exit code kept', async () => {
    const run = startCountingRun(proxy, dir, 'cli-rep-redis', { exitCode: 4, everyMs: 10 });
    const id = await run.cli.sessionId();
    await eventually(async () => (await session(id)).logCursor > 20, 30_000, 'lines logged');
    await redis.stop();
    const printedAt = run.cli.stdout.length;
    await eventually(() => run.cli.stdout.length > printedAt + 2000, 30_000, 'printing while Redis is down');
    await new Promise((r) => setTimeout(r, 3000));
    await redis.restart();
    await bothReady();
    const at = (await session(id)).logCursor;
    await eventually(async () => (await session(id)).logCursor > at + 20, 30_000, 'lines after Redis is back');
    const { code, stderr, printed } = await run.finish();
    expect(code).toBe(4);
    expect(stderr.split('\n').filter((line) => /warning/.test(line))).toEqual([
      expect.stringMatching(/^zen-sessions: warning: the session store \(Redis at [\d.:]+\) is unavailable: /),
    ]);
    const messages = (await readAll(id)).map((entry) => entry.message);
    expect(messages.length).toBe(printed.length);
    expect(messages).toEqual(printed);
    expect(await session(id)).toMatchObject({ status: 'ended', metadata: { exitCode: 4, signal: null } });
  }, 120_000);

  it('log, ls, end: the same answer whichever replica nginx picks', async () => {
    const id = await createSession(proxy, { appname: 'cli-rep-log', jobid: 'job-1' });
    for (let i = 0; i < 6; i++) {
      const logged = await cli(proxy, ['log', id, '--level', 'warn', 'message', String(i)]);
      expect(logged).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const tail = await cli(proxy, ['tail', id, '-n', '1', '--format', 'ndjson']);
      expect(tail.code).toBe(0);
      expect(JSON.parse(tail.stdout)).toMatchObject({ level: 'warn', message: `message ${i}` });
    }
    const piped = await cli(proxy, ['log', id], 'a\nb\nc\n');
    expect(piped).toMatchObject({ code: 0, stdout: '', stderr: '' });
    for (let i = 0; i < 4; i++) {
      const tail = await cli(proxy, ['tail', id, '-n', '3']);
      expect(
        tail.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' ').slice(1).join(' ')),
      ).toEqual(['INFO a', 'INFO b', 'INFO c']);
      const ls = await cli(proxy, ['ls', '--json']);
      const listed = (JSON.parse(ls.stdout) as Session[]).find((s) => s.id === id);
      expect(listed).toMatchObject({ logCursor: 9, warnCount: 6 });
      const table = await cli(proxy, ['ls']);
      expect(table.stdout).toContain(id);
    }
    const ended = await cli(proxy, ['end', id]);
    expect(ended).toMatchObject({ code: 0, stdout: `${id}\n`, stderr: '' });
    for (let i = 0; i < 4; i++) {
      const active = await cli(proxy, ['ls', '--json']);
      expect((JSON.parse(active.stdout) as Session[]).map((s) => s.id)).not.toContain(id);
      const endedList = await cli(proxy, ['ls', '--status', 'ended', '--json']);
      expect((JSON.parse(endedList.stdout) as Session[]).map((s) => s.id)).toContain(id);
      expect(await cli(proxy, ['end', id])).toMatchObject({ code: 0, stdout: `${id}\n`, stderr: '' });
      expect(await cli(proxy, ['log', id, 'late'])).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `zen-sessions: the server answered 409: session ${id} has ended; a new session needs a new id\n`,
      });
    }
  }, 120_000);

  it('log from stdin: a replica SIGKILLed while lines come, every line once, in order', async () => {
    const id = await createSession(proxy, { appname: 'cli-rep-log-stdin' });
    const piped = startCli(proxy, ['log', id, '--level', 'warn'], null);
    let n = 0;
    const writing = setInterval(() => piped.child.stdin?.write(`piped ${n++}\n`), 5);
    try {
      await killEachReplicaWhileLogging(id);
    } finally {
      clearInterval(writing);
    }
    piped.child.stdin?.end();
    expect(await piped.done).toMatchObject({ code: 0, signal: null });
    const log = await readAll(id);
    expect(log.map((entry) => entry.message)).toEqual(Array.from({ length: n }, (_, i) => `piped ${i}`));
    expect(new Set(log.map((entry) => entry.level))).toEqual(new Set(['warn']));
    expect(await session(id)).toMatchObject({ status: 'active' });
  }, 120_000);

  it('run --id continues a session created through either replica; an ended one is exit 2 before the command', async () => {
    for (let i = 0; i < 2; i++) {
      const id = await createSession(replicas[i].url, { appname: 'cli-rep-continued', jobid: 'j' });
      await appended(replicas[i].url, id, ['before']);
      const run = await cli(proxy, ['run', '--id', id, '--', process.execPath, '-e', 'console.log("after")']);
      expect(run.code).toBe(0);
      expect((await readAll(id)).map((entry) => [entry.seq, entry.message])).toEqual([
        [0, 'before'],
        [1, 'after'],
      ]);
      expect(await session(id)).toMatchObject({ status: 'ended', appname: 'cli-rep-continued', jobid: 'j' });
      for (let j = 0; j < 2; j++) {
        const again = await cli(proxy, ['run', '--id', id, '--', process.execPath, '-e', 'console.log("ran")']);
        expect(again).toMatchObject({
          code: 2,
          stdout: '',
          stderr: `zen-sessions: session ${id} has ended; a new session needs a new id\n`,
        });
      }
    }
  }, 120_000);

  it('tail with filters and formats: the same answer whichever replica nginx picks', async () => {
    const id = await createSession(proxy, { appname: 'cli-rep-tail' });
    await cli(proxy, ['log', id], 'Alpha one\nbeta two\nALPHA three\n');
    await cli(proxy, ['log', id, '--level', 'error', 'alpha', 'four']);
    for (let i = 0; i < 4; i++) {
      const json = await cli(proxy, ['tail', id, '--grep', 'alpha', '--format', 'json', '-n', 'all']);
      expect(json.code).toBe(0);
      expect((JSON.parse(json.stdout) as LogEntry[]).map((entry) => entry.seq)).toEqual([0, 2, 3]);
      const errors = await cli(proxy, ['tail', id, '--level', 'error']);
      expect(errors.stdout).toMatch(/^\S+ ERROR alpha four\n$/);
      const cursor = await cli(proxy, ['tail', id, '--cursor', '2', '--format', 'ndjson']);
      expect(
        cursor.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line).seq),
      ).toEqual([2, 3]);
    }
  }, 120_000);

  it('run started while Redis is down: one warning, lines held and sent once it is back, the exit code kept', async () => {
    await redis.stop();
    const run = startCountingRun(proxy, dir, 'cli-rep-start-down', { exitCode: 6, everyMs: 10 });
    try {
      await eventually(() => /line 100\n/.test(run.cli.stdout), 30_000, 'the command running');
    } finally {
      await redis.restart();
    }
    await bothReady();
    const id = await run.cli.sessionId();
    await eventually(async () => (await fetch(`${proxy}/sessions/${id}`)).status === 200, 30_000, 'the session');
    const at = (await session(id)).logCursor;
    await eventually(async () => (await session(id)).logCursor > at + 20, 30_000, 'lines after Redis is back');
    const { code, stderr, printed } = await run.finish();
    expect(code).toBe(6);
    expect((await readAll(id)).map((entry) => entry.message)).toEqual(printed);
    expect(await session(id)).toMatchObject({ status: 'ended', metadata: { exitCode: 6, signal: null } });
    expect(stderr.split('\n').filter((line) => /warning/.test(line))).toHaveLength(1);
  }, 120_000);

  it('tail --follow: resumes after its replica is killed, ends when the session is ended through the other', async () => {
    const id = await createSession(proxy, { appname: 'cli-rep-follow' });
    const append = (lines: string[]) => appended(proxy, id, lines);
    await append(['a0', 'a1']);
    const follow = startCli(proxy, ['tail', id, '--follow', '-n', 'all', '--format', 'ndjson', '--grep', 'A']);
    const seqs = () => printedSeqs(follow);
    await eventually(() => expect(seqs()).toEqual([0, 1]), 30_000);
    let n = 2;
    for (const replica of replicas) {
      await replica.stop('SIGKILL');
      for (let i = 0; i < 5; i++) await append([`a${n++}`, 'zzz']);
      await replica.restart();
      await bothReady();
      for (let i = 0; i < 5; i++) await append([`a${n++}`, 'zzz']);
    }
    const want: number[] = [0, 1];
    for (let i = 2; i < n; i++) want.push(2 + (i - 2) * 2);
    await eventually(() => expect(seqs()).toEqual(want), 30_000);
    const ended = await cli(proxy, ['end', id]);
    expect(ended.code).toBe(0);
    const result = await follow.done;
    expect(result.code).toBe(0);
    expect(follow.stderr).toBe('');
  }, 120_000);

  it.each([
    ['is ridden out silently', false],
    ['is told in a line once its check has gone unanswered for 10 s, when Redis stays away', true],
  ])(
    'tail --follow: the replica serving it killed while Redis restarts (a host going down) %s',
    async (_, long) => {
      const metric = async (replica: BuiltServer, series: string) => (await scrapeMetric(replica.url, series)) ?? 0;
      const wsClients = (replica: BuiltServer) => metric(replica, 'zen_ws_clients');
      const lookups503 = (replica: BuiltServer) =>
        metric(replica, 'zen_http_request_duration_seconds_count{method="GET",route="/zen/sessions/:id",status="503"}');
      const id = await createSession(proxy, { appname: `cli-rep-host-down-${long ? 'long' : 'short'}` });
      const append = (lines: string[]) => appended(proxy, id, lines);
      await append(['h0']);
      const follow = startCli(proxy, ['tail', id, '--follow', '-n', 'all', '--format', 'ndjson']);
      const seqs = () => printedSeqs(follow);
      await eventually(() => expect(seqs()).toEqual([0]), 30_000);
      // Following live (its first check answered): an entry appended now is printed.
      await append(['h1']);
      await eventually(() => expect(seqs()).toEqual([0, 1]), 30_000);
      const serving = (await wsClients(replicas[0])) > 0 ? 0 : 1;
      const other = replicas[1 - serving];
      const refusedBefore = await lookups503(other);
      await redis.stop();
      await replicas[serving].stop('SIGKILL');
      try {
        // The follower is back on the other replica, whose answer to its check is a 503.
        await eventually(async () => expect(await wsClients(other)).toBe(1), 30_000);
        await eventually(async () => expect(await lookups503(other)).toBeGreaterThan(refusedBefore), 30_000);
        if (long) await eventually(() => expect(follow.stderr).not.toBe(''), 30_000);
      } finally {
        await redis.restart();
        await replicas[serving].restart();
      }
      await bothReady();
      await append(['h2', 'h3']);
      await eventually(() => expect(seqs()).toEqual([0, 1, 2, 3]), 30_000);
      expect((await cli(proxy, ['end', id])).code).toBe(0);
      expect(await follow.done).toMatchObject({ code: 0, signal: null });
      if (!long) return expect(follow.stderr).toBe('');
      // Each different failure once (the store's client may word the outage in more than one way).
      const lines = follow.stderr.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      const unchecked = new RegExp(
        `^zen-sessions: cannot check that session ${id} is still the one followed \\(the server answered 503: the session store \\(Redis at [\\d.:]+\\) is unavailable: .+\\); still trying$`,
      );
      for (const line of lines) expect(line).toMatch(unchecked);
      expect(new Set(lines).size).toBe(lines.length);
    },
    120_000,
  );

  it('Redis down: 503 naming it, exit 1; both replicas down: nginx 502, exit 1', async () => {
    const id = '0123456789abcdef01234567';
    await redis.stop();
    try {
      for (const args of [['ls'], ['tail', id], ['end', id], ['log', id, 'x']]) {
        expect(await cli(proxy, args)).toMatchObject({
          code: 1,
          stdout: '',
          stderr: expect.stringMatching(
            /^zen-sessions: the server answered 503: the session store \(Redis at [\d.:]+\) is unavailable: [^\n]+\n$/,
          ),
        });
      }
    } finally {
      await redis.restart();
      await bothReady();
    }
    for (const replica of replicas) await replica.stop();
    try {
      for (const args of [['ls'], ['tail', id], ['end', id], ['log', id, 'x']]) {
        expect(await cli(proxy, args)).toEqual({
          code: 1,
          signal: null,
          stdout: '',
          stderr:
            'zen-sessions: the server answered 502: 502 Bad Gateway (an HTML page, not an answer of the sessions server)\n',
        });
      }
      const run = await cli(proxy, [
        'run',
        '--flush-timeout',
        '2',
        '--',
        process.execPath,
        '-e',
        'console.log("hi"); process.exitCode = 3',
      ]);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('hi\n');
      expect(run.stderr.split('\n').filter((line) => /warning/.test(line))).toEqual([
        expect.stringMatching(/^zen-sessions: warning: the server answered 502: 502 Bad Gateway \(an HTML page/),
      ]);
    } finally {
      for (const replica of replicas) await replica.restart();
    }
  }, 120_000);
});

/**
 * The same set-up with a short SESSIONS_TIMEOUT_S and a small LOG_CAPACITY, and a third replica on
 * the same Redis outside nginx, which takes appends while both behind nginx are down.
 */
describe('zen-sessions against two replicas behind nginx: silence, eviction and both replicas down', () => {
  let scaleOut: ScaleOut;
  let redis: RedisServer;
  let replicas: BuiltServer[] = [];
  let third: BuiltServer;
  let proxy: string;

  const session = async (id: string) => (await (await fetch(`${proxy}/sessions/${id}`)).json()) as Session;
  const bothReady = () => replicasReady(replicas);

  beforeAll(async () => {
    const env = { LOG_CAPACITY: '20', SESSIONS_TIMEOUT_S: '4' };
    scaleOut = await startScaleOut(env);
    ({ redis, replicas, proxied: proxy } = scaleOut);
    third = await BuiltServer.start({ LOG_STORE: 'redis', REDIS_URL: scaleOut.redis.url, BASE_PATH: '/zen', ...env });
  });

  afterAll(async () => {
    await killRunningClis();
    await third?.stop();
    await scaleOut?.stop();
  });

  it('run: heartbeats keep a silent command s session alive across replicas, one of them killed', async () => {
    const stopFile = join(tmpdir(), `zen-cli-silent-${process.pid}`);
    const run = startCli(proxy, [
      'run',
      '--appname',
      'cli-rep-silent',
      '--',
      process.execPath,
      '-e',
      `
      const t = setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(stopFile)})) { clearInterval(t); console.log('bye'); } }, 100);`,
    ]);
    const id = await run.sessionId();
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await session(id)).toMatchObject({ status: 'active' });
    await replicas[0].stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await session(id)).toMatchObject({ status: 'active' });
    await replicas[0].restart();
    await bothReady();
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await session(id)).toMatchObject({ status: 'active' });
    writeFileSync(stopFile, '');
    const { code } = await run.done;
    rmSync(stopFile, { force: true });
    expect(code).toBe(0);
    expect(await session(id)).toMatchObject({
      status: 'ended',
      endReason: 'deleted',
      metadata: { exitCode: 0, signal: null },
    });
  }, 120_000);

  it('tail --follow: both replicas killed, entries evicted and the session ended meanwhile: one dropped line, exit 0', async () => {
    const id = await createSession(third.url, { appname: 'cli-rep-dropped' });
    const append = (lines: string[]) => appended(third.url, id, lines);
    await append(['e0', 'e1', 'e2']);
    const follow = startCli(proxy, ['tail', id, '--follow', '-n', 'all']);
    const messages = () =>
      follow.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ').slice(2).join(' '));
    await eventually(() => expect(messages()).toEqual(['e0', 'e1', 'e2']), 30_000);
    // Following live: an entry appended now is printed.
    await append(['e3']);
    await eventually(() => expect(messages()).toEqual(['e0', 'e1', 'e2', 'e3']), 30_000);
    // Both at once: one killed after the other can take the follower's reconnect in between.
    await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
    await append(Array.from({ length: 50 }, (_, i) => `e${i + 4}`));
    await fetch(`${third.url}/sessions/${id}`, { method: 'DELETE' });
    for (const replica of replicas) await replica.restart();
    const result = await follow.done;
    expect(result.code).toBe(0);
    expect(messages()).toEqual(['e0', 'e1', 'e2', 'e3', ...Array.from({ length: 20 }, (_, i) => `e${i + 34}`)]);
    expect(follow.stderr).toBe('-- 30 entries dropped --\n');
  }, 120_000);

  it('tail --follow through a Redis outage: what comes after is printed once', async () => {
    const id = await createSession(proxy, { appname: 'cli-rep-follow-redis' });
    const append = (lines: string[]) => appended(proxy, id, lines);
    await append(['r0']);
    const follow = startCli(proxy, ['tail', id, '--follow', '-n', 'all', '--format', 'ndjson']);
    const seqs = () => printedSeqs(follow);
    await eventually(() => expect(seqs()).toEqual([0]), 30_000);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 3_000));
    await redis.restart();
    await bothReady();
    for (let i = 1; i < 10; i++) await append([`r${i}`]);
    await eventually(() => expect(seqs()).toEqual(Array.from({ length: 10 }, (_, i) => i)), 30_000);
    await fetch(`${proxy}/sessions/${id}`, { method: 'DELETE' });
    const result = await follow.done;
    expect(result.code).toBe(0);
    // Ridden out silently, as a lost connection is for 10 s: the check after the reconnect met a 503.
    expect(follow.stderr).toBe('');
  }, 120_000);
});
