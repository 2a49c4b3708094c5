import { createSessionLogger } from '@zen/client';
import { LogEntry, Session } from '@zen/contract';
import { BuiltServer, Child, eventually, RedisServer, REPO, sessionIdIn } from '@zen/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScaleOut } from './nginx';

const CLI = join(REPO, 'dist/apps/cli/main.js');

/** The built CLI with ZEN_SESSIONS_URL set to `server`; its output kept as it comes. */
function startCli(server: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ZEN_SESSIONS_URL: server, ZEN_SESSIONS_TOKEN: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => (out.stdout += chunk));
  child.stderr?.on('data', (chunk) => (out.stderr += chunk));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, done };
}

/**
 * The clients through the noon deploy of a studio: two replicas on one Redis behind nginx
 * (deploy/scale-out), restarted one after the other as the README's "Rolling restart" says,
 * while `zen-sessions run` wraps a chatty command, `zen-sessions tail --follow` follows that
 * session and the library's session logger sends steadily, all through nginx.
 */
describe('the clients through a rolling restart of two replicas behind nginx (built server and CLI)', () => {
  let redis: RedisServer;
  let replicas: BuiltServer[] = [];
  let nginx: Child;
  let dir: string;
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await nginx?.stop();
    for (const replica of replicas) await replica.stop();
    await redis?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('run passes the exit code on without a warning, tail -f prints every line once, the logger sends every entry once', async () => {
    redis = await RedisServer.start();
    let proxy: string;
    ({
      replicas,
      nginx,
      proxied: proxy,
    } = await startScaleOut({
      REDIS_URL: redis.url,
      // Room for every line however long the restart takes on a busy machine.
      LOG_CAPACITY: '100000',
    }));
    const readAll = async (id: string) => {
      const entries: LogEntry[] = [];
      for (let cursor = 0; ; ) {
        const page = (await (await fetch(`${proxy}/sessions/${id}/log?cursor=${cursor}&limit=10000`)).json()) as {
          entries: LogEntry[];
          cursor: number;
        };
        entries.push(...page.entries);
        if (page.entries.length < 10_000) return entries;
        cursor = page.cursor;
      }
    };
    const session = async (id: string) => (await (await fetch(`${proxy}/sessions/${id}`)).json()) as Session;

    // 1. A command printing a numbered line every few ms until told to stop, then its count, exit 3.
    dir = mkdtempSync(join(tmpdir(), 'zen-clients-rolling-'));
    const stop = join(dir, 'stop');
    const script = `let n = 0; const t = setInterval(() => {
      if (require('node:fs').existsSync(${JSON.stringify(stop)})) { clearInterval(t); console.log('done ' + n); process.exitCode = 3; }
      else console.log('line ' + n++);
    }, 10);`;
    const run = startCli(proxy, ['run', '--appname', 'clients-rolling-run', '--', process.execPath, '-e', script]);
    children.push(run.child);
    await eventually(() => sessionIdIn(run.out.stderr) !== undefined, 30_000, 'the session id from run');
    const runId = sessionIdIn(run.out.stderr) as string;
    await eventually(async () => (await session(runId)).logCursor > 0, 30_000, 'the first line logged');

    // 2. A follower of that session from its first entry.
    const tail = startCli(proxy, ['tail', '--follow', '-n', 'all', '--format', 'ndjson', runId]);
    children.push(tail.child);
    const tailed = () =>
      tail.out.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as LogEntry).seq);
    await eventually(() => tailed().length > 0, 30_000, 'the first line tailed');

    // 3. The library's session logger, one entry every few ms.
    const logger = createSessionLogger({ server: proxy, appname: 'clients-rolling-logger' });
    let logged = 0;
    const logging = setInterval(() => logger.info(`entry ${logged++}`), 10);
    try {
      await eventually(async () => (await session(logger.id)).logCursor > 0, 30_000, 'the first entry sent');

      // The rolling restart: SIGTERM one, start it again, ready, then the other.
      for (const replica of replicas) {
        expect(await replica.stop()).toBe(0);
        await replica.restart();
      }
      // Traffic after the restart from every client, then they stop.
      const [runAt, loggerAt] = [(await session(runId)).logCursor, (await session(logger.id)).logCursor];
      await eventually(
        async () =>
          (await session(runId)).logCursor > runAt + 20 && (await session(logger.id)).logCursor > loggerAt + 20,
        30_000,
        'lines and entries after the restart',
      );
    } finally {
      clearInterval(logging);
      writeFileSync(stop, '');
    }
    await logger.close();

    // run: the command's exit code, no warning, every line once and in order.
    expect({
      code: await run.done,
      stderr: run.out.stderr
        .split('\n')
        .filter((line) => !/^zen-sessions: (session|dashboard|http)/.test(line) && line),
    }).toEqual({ code: 3, stderr: [] });
    const printed = Number(/^done (\d+)$/m.exec(run.out.stdout)?.[1]);
    const expected = [...Array.from({ length: printed }, (_, i) => `line ${i}`), `done ${printed}`];
    const runLog = await readAll(runId);
    expect(runLog.map((entry) => entry.message)).toEqual(expected);
    expect(runLog.map((entry) => entry.seq)).toEqual(expected.map((_, seq) => seq));
    expect(await session(runId)).toMatchObject({ status: 'ended', logCursor: expected.length });

    // tail --follow: every entry once, none missing.
    await eventually(() => tailed().length >= expected.length, 30_000, 'the follower to catch up');
    tail.child.kill('SIGINT');
    expect(await tail.done).toBe(0);
    expect(tailed()).toEqual(expected.map((_, seq) => seq));
    expect(tail.out.stderr).toBe('');

    // The logger: every entry once, in order, the session ended.
    expect(logger.stats).toMatchObject({ sent: logged, dropped: 0, rejected: 0, queued: 0 });
    const loggerLog = await readAll(logger.id);
    expect(loggerLog.map((entry) => entry.message)).toEqual(Array.from({ length: logged }, (_, i) => `entry ${i}`));
    expect(await session(logger.id)).toMatchObject({ status: 'ended', logCursor: logged });
  }, 180_000);
});
