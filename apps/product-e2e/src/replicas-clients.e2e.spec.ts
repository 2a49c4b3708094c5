import { createSessionLogger } from '@zen/client';
import { LogEntry, Session } from '@zen/contract';
import { eventually, killRunningClis, startCli } from '@zen/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingRun } from './counting-run';
import { ScaleOut, startScaleOut } from './nginx';

/**
 * The clients through the noon deploy of a studio: two replicas on one Redis behind nginx
 * (deploy/scale-out), restarted one after the other as the README's "Rolling restart" says,
 * while `zen-sessions run` wraps a chatty command, `zen-sessions tail --follow` follows that
 * session and the library's session logger sends steadily, all through nginx.
 */
describe('the clients through a rolling restart of two replicas behind nginx (built server and CLI)', () => {
  let scaleOut: ScaleOut | undefined;
  let dir: string;

  afterAll(async () => {
    await killRunningClis();
    await scaleOut?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('run passes the exit code on without a warning, tail -f prints every line once, the logger sends every entry once', async () => {
    // Room for every line however long the restart takes on a busy machine.
    scaleOut = await startScaleOut({ LOG_CAPACITY: '100000' });
    const { replicas, proxied: proxy } = scaleOut;
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
    const run = startCountingRun(proxy, dir, 'clients-rolling-run', { exitCode: 3, everyMs: 10 });
    const runId = await run.cli.sessionId();
    await eventually(async () => (await session(runId)).logCursor > 0, 30_000, 'the first line logged');

    // 2. A follower of that session from its first entry.
    const tail = startCli(['tail', '--follow', '-n', 'all', '--format', 'ndjson', runId], {
      env: { ZEN_SESSIONS_URL: proxy },
    });
    const tailed = () =>
      tail.stdout
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
    }
    const ran = await run.finish();
    await logger.close();

    // run: the command's exit code, no warning, every line once and in order.
    expect({
      code: ran.code,
      stderr: ran.stderr.split('\n').filter((line) => !/^zen-sessions: (session|dashboard|http)/.test(line) && line),
    }).toEqual({ code: 3, stderr: [] });
    const expected = ran.printed;
    const runLog = await readAll(runId);
    expect(runLog.map((entry) => entry.message)).toEqual(expected);
    expect(runLog.map((entry) => entry.seq)).toEqual(expected.map((_, seq) => seq));
    expect(await session(runId)).toMatchObject({ status: 'ended', logCursor: expected.length });

    // tail --follow: every entry once, none missing.
    await eventually(() => tailed().length >= expected.length, 30_000, 'the follower to catch up');
    tail.child.kill('SIGINT');
    expect((await tail.done).code).toBe(0);
    expect(tailed()).toEqual(expected.map((_, seq) => seq));
    expect(tail.stderr).toBe('');

    // The logger: every entry once, in order, the session ended.
    expect(logger.stats).toMatchObject({ sent: logged, dropped: 0, rejected: 0, queued: 0 });
    const loggerLog = await readAll(logger.id);
    expect(loggerLog.map((entry) => entry.message)).toEqual(Array.from({ length: logged }, (_, i) => `entry ${i}`));
    expect(await session(logger.id)).toMatchObject({ status: 'ended', logCursor: logged });
  }, 180_000);
});
