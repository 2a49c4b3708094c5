import { execFile, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuiltServer, bundleForNode, Child, eventually, FaultProxy, freePort, REPO } from '@zen/testing';
import type { SessionMetadata } from '@zen/contract';
import { newSessionId } from '../ids';
import { SessionsClient } from '../rest/sessions-client';
import {
  createSessionLogger,
  FlushTimeoutError,
  SessionLogger,
  SessionLoggerClosedError,
  type SessionRefusal,
} from './session-logger';

/** A server that takes connections and never answers, until `close()`. */
async function silentServer() {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  const port = await freePort();
  await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${port}`,
    sockets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => server.close(closed));
    },
  };
}

describe('session logger against the built server', () => {
  let server: BuiltServer;
  let client: SessionsClient;
  const loggers: SessionLogger[] = [];
  const logger = (options: Partial<Parameters<typeof createSessionLogger>[0]> = {}) => {
    const created = createSessionLogger({ server: server.url, appname: 'logger-test', retryInitialMs: 50, ...options });
    loggers.push(created);
    return created;
  };
  const messages = async (id: string) =>
    (await client.logs.readAll(id)).entries.map((entry) => `${entry.level} ${entry.message}`);

  /** Where the scripts of the tests that need a process of their own are bundled; removed after the tests. */
  let scripts: string;
  /** Bundles `code` (a module importing the library as `lib`) into a script of its own: its path. */
  const script = (code: string): string => {
    const dir = mkdtempSync(join(scripts, 'script-'));
    writeFileSync(join(dir, 'main.ts'), `import * as lib from '${join(REPO, 'libs/client/src/index.ts')}';\n${code}`);
    bundleForNode(join(dir, 'main.ts'), join(dir, 'main.js'));
    return join(dir, 'main.js');
  };
  /** Runs `code` (see `script`) with `args` (the server's URL, an id) as its arguments: its exit code and output. */
  const runScript = async (code: string, ...args: string[]) => {
    const child = new Child(spawn(process.execPath, [script(code), ...args]));
    return { code: await child.closed, output: child.output };
  };

  /**
   * Runs `test` against a server of its own, stopped after it, whose `crash()` kills it and starts
   * it again: a server without persistence that restarted, having lost every session.
   */
  const withRestartingServer = async (
    test: (restarting: { url: string; crash: () => Promise<void> }) => Promise<void>,
  ): Promise<void> => {
    const own = await BuiltServer.start();
    const crash = async () => {
      await own.stop('SIGKILL');
      await own.restart();
    };
    try {
      await test({ url: own.url, crash });
    } finally {
      await own.stop();
    }
  };

  beforeAll(async () => {
    server = await BuiltServer.start({ SESSIONS_TIMEOUT_S: '2' });
    client = new SessionsClient({ server: server.url });
    scripts = mkdtempSync(join(tmpdir(), 'zen-logger-'));
  });
  afterEach(async () => {
    await Promise.all(loggers.splice(0).map((each) => each.close(2_000).catch(() => undefined)));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(scripts, { recursive: true, force: true });
  });

  it('opens the session with its fields and sends entries in order, in one batch when they come together', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      const log = logger({ server: proxy.url, mode: 'tool', jobid: 'j-1', metadata: { project: 'Lyra' } });
      log.info('one', { step: 1 });
      log.warn('two');
      log.error('three');
      log.debug('four');
      await log.flush();
      expect(await client.sessions.get(log.id)).toMatchObject({
        appname: 'logger-test',
        mode: 'tool',
        jobid: 'j-1',
        metadata: { project: 'Lyra' },
        warnCount: 1,
        errorCount: 1,
      });
      const { entries } = await client.logs.read(log.id);
      expect(entries.map((entry) => [entry.seq, entry.level, entry.message])).toEqual([
        [0, 'info', 'one'],
        [1, 'warn', 'two'],
        [2, 'error', 'three'],
        [3, 'debug', 'four'],
      ]);
      expect(entries[0].data).toEqual({ step: 1 });
      const appends = proxy.seen.filter((request) => request.url.endsWith('/log'));
      expect(appends).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });

  it('sends a batch when it is full, each request within the size limit, and by time when output pauses', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      const log = logger({ server: proxy.url, maxBatchBytes: 4_000, flushIntervalMs: 100 });
      for (let i = 0; i < 200; i++) log.info(`line ${i} ${'x'.repeat(80)}`);
      await eventually(async () => (await client.sessions.get(log.id).catch(() => null))?.logCursor === 200);
      const appends = proxy.seen.filter((request) => request.url.endsWith('/log'));
      expect(appends.length).toBeGreaterThan(4);
      for (const append of appends) expect(append.bytes).toBeLessThanOrEqual(4_000);
      expect((await messages(log.id)).slice(-1)).toEqual([`info line 199 ${'x'.repeat(80)}`]);

      // One more entry: sent by the timer alone, without flush().
      log.info('late');
      await eventually(async () => (await client.sessions.get(log.id)).logCursor === 201, 10_000, 'the timed batch');
    } finally {
      await proxy.stop();
    }
  });

  it('takes messages as UTF-8 bytes: written from the bytes, escaped; invalid ones decoded, long ones split', async () => {
    const log = logger({ maxMessageBytes: 1_000 });
    const lines = ['plain ASCII', 'quote " and \\ backslash\ttab', 'Grüße 😀', 'x'.repeat(1_500)];
    const chunk = Buffer.concat([Buffer.from(lines.join('\n')), Buffer.from([0x0a, 0x61, 0xff, 0x62])]);
    let start = 0;
    for (let end = chunk.indexOf(0x0a); start < chunk.length; end = chunk.indexOf(0x0a, start)) {
      if (end === -1) end = chunk.length;
      log.appendBytes('warn', chunk, start, end, { stream: 'stdout' });
      start = end + 1;
    }
    chunk.fill(0x3f); // the bytes are not kept: what was queued is a copy
    await log.flush();
    const { entries } = await client.logs.read(log.id);
    expect(entries.map((entry) => entry.message)).toEqual([
      ...lines.slice(0, 3),
      'x'.repeat(1_000),
      'x'.repeat(500),
      'a\ufffdb',
    ]);
    expect(entries.every((entry) => entry.level === 'warn' && entry.data?.['stream'] === 'stdout')).toBe(true);
  });

  it('splits a message longer than the limit into several entries', async () => {
    const log = logger({ maxMessageBytes: 1_000 });
    log.info('é'.repeat(1_200)); // 2,400 bytes
    await log.flush();
    const entries = (await client.logs.read(log.id)).entries;
    expect(entries.map((entry) => entry.message.length)).toEqual([500, 500, 200]);
    expect(entries.map((entry) => entry.message).join('')).toBe('é'.repeat(1_200));
  });

  it('splits a message of lone surrogates by the bytes the server counts (3 each), not as pairs', async () => {
    const errors: Error[] = [];
    const log = logger({ onError: (error) => errors.push(error) });
    log.info('\ud800'.repeat(30_000)); // 90,000 bytes as the server counts it (U+FFFD each)
    log.info(`${'\ud800é'.repeat(20_000)}`); // 100,000 bytes
    await log.flush();
    expect(errors).toEqual([]);
    const entries = (await client.logs.read(log.id)).entries;
    expect(entries.map((entry) => entry.message.length)).toEqual([21_845, 8_155, 26_214, 13_786]);
    expect(log.stats.rejected).toBe(0);
  });

  it('keeps an entry whose level is not one of the four (plain JavaScript): read as the nearest, else info', async () => {
    const errors: Error[] = [];
    const log = logger({ onError: (error) => errors.push(error) });
    const loose = log as unknown as { log(level: unknown, message: string): void };
    for (const level of ['WARN', 'warning', 'fatal', 'critical', 'trace', 'verbose', 'Error', 'notice', 7, undefined]) {
      loose.log(level, String(level));
    }
    log.append({ level: 'FATAL' as 'error', message: 'appended' });
    await log.flush();
    expect(errors).toEqual([]);
    expect(await messages(log.id)).toEqual([
      'warn WARN',
      'warn warning',
      'error fatal',
      'error critical',
      'debug trace',
      'debug verbose',
      'error Error',
      'info notice',
      'info 7',
      'info undefined',
      'error appended',
    ]);
  });

  it('opens the session and goes on whatever metadata holds (a cycle, a BigInt, an Error), written as data is', async () => {
    const errors: Error[] = [];
    // Typed as JSON, and still possible: a cycle made by mutation; plain JavaScript passes anything.
    const cycle: SessionMetadata = { a: 1 };
    cycle['self'] = cycle;
    const metadata = { cycle, big: 10n } as unknown as SessionMetadata;
    const log = logger({ metadata, onError: (error) => errors.push(error) });
    log.info('one');
    await log.flush();
    log.updateMetadata({ failure: new Error('meta') } as unknown as SessionMetadata);
    log.info('two');
    await log.flush();
    expect(errors).toEqual([]);
    expect(await messages(log.id)).toEqual(['info one', 'info two']);
    expect((await client.sessions.get(log.id)).metadata).toMatchObject({
      cycle: { a: 1, self: '[Circular]' },
      big: '10',
      failure: { type: 'Error', message: 'meta' },
    });
  });

  it('keeps an entry whose time is not the contract s (a Date, epoch ms, another format): converted, else now', async () => {
    const errors: Error[] = [];
    const log = logger({ onError: (error) => errors.push(error) });
    const loose = log as unknown as { append(entry: { level: string; message: string; time: unknown }): void };
    const before = new Date().toISOString();
    loose.append({ level: 'info', message: 'a Date', time: new Date('2026-01-02T03:04:05.678Z') });
    loose.append({ level: 'info', message: 'epoch ms', time: Date.parse('2026-01-02T03:04:05.678Z') });
    loose.append({ level: 'info', message: 'with an offset', time: '2026-01-02T05:04:05.678+02:00' });
    loose.append({ level: 'info', message: 'without T', time: '2026-01-02 03:04:05.678Z' });
    loose.append({ level: 'info', message: 'not a time', time: 'yesterday' });
    loose.append({ level: 'info', message: 'an invalid Date', time: new Date(NaN) });
    // Epoch microseconds taken for milliseconds: a Date in the year 58,000-odd, written `+058…`.
    loose.append({ level: 'info', message: 'past the year 9999', time: Date.now() * 1000 });
    await log.flush();
    expect(errors).toEqual([]);
    const entries = (await client.logs.read(log.id)).entries;
    expect(entries.map((entry) => entry.message)).toEqual([
      'a Date',
      'epoch ms',
      'with an offset',
      'without T',
      'not a time',
      'an invalid Date',
      'past the year 9999',
    ]);
    for (const entry of entries.slice(0, 4)) expect(entry.time).toBe('2026-01-02T03:04:05.678Z');
    for (const entry of entries.slice(4)) expect(entry.time >= before).toBe(true);
  });

  it('keeps an entry whose data is not an object (plain JavaScript): the value goes in data.value', async () => {
    const errors: Error[] = [];
    const log = logger({ onError: (error) => errors.push(error) });
    const loose = log as unknown as { info(message: string, data: unknown): void };
    loose.info('a number', 42);
    loose.info('a string', 'text');
    loose.info('an array', [1, { a: 2 }]);
    loose.info('a boolean', false);
    loose.info('null', null);
    log.appendBytes('info', new TextEncoder().encode('bytes'), 0, 5, [3] as unknown as Record<string, unknown>);
    await log.flush();
    expect(errors).toEqual([]);
    const entries = (await client.logs.read(log.id)).entries;
    expect(entries.map(({ message, data }) => ({ message, data }))).toEqual([
      { message: 'a number', data: { value: 42 } },
      { message: 'a string', data: { value: 'text' } },
      { message: 'an array', data: { value: [1, { a: 2 }] } },
      { message: 'a boolean', data: { value: false } },
      { message: 'null', data: undefined },
      { message: 'bytes', data: { value: [3] } },
    ]);
  });

  it('never throws at a caller whose message is not a string (plain JavaScript): it is written as text', async () => {
    const log = logger();
    const loose = log as unknown as { info(message: unknown): void; error(message: unknown): void };
    const values: unknown[] = [42, undefined, null, { a: 1 }, Symbol('s'), new Error('as message'), ['a'], true, 10n];
    for (const value of values) expect(() => loose.info(value)).not.toThrow();
    log.info('after them');
    await log.flush();
    expect(await messages(log.id)).toEqual([
      'info 42',
      'info ',
      'info null',
      'info {"a":1}',
      'info Symbol(s)',
      'info as message',
      'info ["a"]',
      'info true',
      'info 10',
      'info after them',
    ]);
  });

  it('holds entries while the server is down, retries, warns once, and reports the oldest it had to drop', async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const log = logger({ server: `http://127.0.0.1:${port}`, maxQueue: 5, onWarning: (text) => warnings.push(text) });
    for (let i = 0; i < 8; i++) log.info(`held ${i}`);
    await eventually(() => warnings.length > 0, 10_000, 'a warning');
    expect(log.stats).toMatchObject({ queued: 5, dropped: 3, sent: 0 });

    const late = await BuiltServer.start({}, port);
    try {
      await log.flush(20_000);
      const lateClient = new SessionsClient({ server: late.url });
      const seen = (await lateClient.logs.read(log.id)).entries.map((entry) => `${entry.level} ${entry.message}`);
      expect(seen[0]).toMatch(/^warn 3 log entries were dropped/);
      expect(seen.slice(1)).toEqual(['info held 3', 'info held 4', 'info held 5', 'info held 6', 'info held 7']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/ECONNREFUSED/);
    } finally {
      await log.close(5_000).catch(() => undefined);
      await late.stop();
    }
  });

  /**
   * A logger through `proxy` (holding `maxQueue` entries) whose session opened with the entry
   * `first`, then `logged` entries `q0`, `q1`, … queued while the proxy answers every request 503.
   */
  const loggerThroughOutage = async (proxy: FaultProxy, maxQueue: number, logged: number) => {
    const log = logger({ server: proxy.url, maxQueue });
    log.info('first');
    await log.flush();
    proxy.fault = () => ({ status: 503 });
    for (let i = 0; i < logged; i++) log.info(`q${i}`);
    return log;
  };

  it('reports the whole count dropped during an outage that begins after the session opened', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      const log = await loggerThroughOutage(proxy, 5, 20);
      // Several failed tries, each of which once counted the report itself as one more drop.
      await eventually(() => proxy.seen.filter((each) => each.answer?.status === 503).length >= 4, 10_000, 'retries');
      expect(log.stats.dropped).toBe(15);
      // Between two tries (a batch being sent is not queued: it comes back in front if refused).
      await eventually(() => log.stats.queued === 5, 10_000, 'the batch back in the queue');
      expect(log.stats.dropped).toBe(15);

      proxy.fault = () => null;
      await log.flush(10_000);
      expect(log.stats.dropped).toBe(15);
      const seen = await messages(log.id);
      expect(seen[0]).toBe('info first');
      expect(seen[1]).toMatch(/^warn 15 log entries were dropped/);
      expect(seen.slice(2)).toEqual(['info q15', 'info q16', 'info q17', 'info q18', 'info q19']);
    } finally {
      await proxy.stop();
    }
  });

  it('waits in flush() for every entry logged before it when the batch the report of dropped ones leads is refused with 400', async () => {
    // Found by a re-read: put back after the 400, the report went out in a smaller batch counted as
    // a logged entry sent, and flush() resolved with the last entry still unsent.
    const proxy = await FaultProxy.start(server.url);
    try {
      const log = await loggerThroughOutage(proxy, 1, 10);
      await eventually(() => log.stats.dropped === 9 && log.stats.queued === 1, 10_000, 'nine dropped');

      let appends = 0;
      proxy.fault = (req) => {
        if (req.method !== 'POST' || !req.url?.endsWith('/log')) return null;
        appends++;
        return appends === 1 ? { status: 400 } : appends === 2 ? null : { status: 503 };
      };
      let flushed = false;
      const flush = log.flush(30_000).then(() => (flushed = true));
      // The batch of the report and q9 refused, the report sent alone, q9 refused with 503 (twice).
      await eventually(() => appends >= 4, 10_000, 'q9 refused');
      expect(flushed).toBe(false);

      proxy.fault = () => null;
      await flush;
      const seen = await messages(log.id);
      expect(seen[0]).toBe('info first');
      expect(seen[1]).toMatch(/^warn 9 log entries were dropped/);
      expect(seen.slice(2)).toEqual(['info q9']);
      expect(log.stats).toMatchObject({ dropped: 9, rejected: 0 });
    } finally {
      await proxy.stop();
    }
  });

  it('cuts the report of dropped entries to a server message limit below it, one entry', async () => {
    const limited = await BuiltServer.start({ MAX_MESSAGE_BYTES: '40' });
    const proxy = await FaultProxy.start(limited.url);
    try {
      const log = await loggerThroughOutage(proxy, 1, 10);
      await eventually(() => log.stats.dropped === 9, 10_000, 'nine dropped');
      proxy.fault = () => null;
      await log.flush(30_000);
      const seen = (await new SessionsClient({ server: limited.url }).logs.readAll(log.id)).entries;
      expect(seen.map((entry) => entry.message)).toEqual(['first', '9 log entries were dropped while the ser', 'q9']);
      expect(log.stats).toMatchObject({ dropped: 9, rejected: 0 });
    } finally {
      await proxy.stop();
      await limited.stop();
    }
  });

  it('says when a producer should wait (backlogged) while the server takes entries, never while it is away', async () => {
    const log = logger({ highWaterEntries: 10, maxQueue: 1_000 });
    for (let i = 0; i < 20; i++) log.info(`burst ${i}`);
    expect(log.backlogged).toBe(true);
    await log.drained();
    expect(log.backlogged).toBe(false);
    await log.flush();
    expect((await messages(log.id)).length).toBe(20);

    // Away: a server that takes each connection and drops it 100 ms later, so that every try lasts.
    const dropping = createServer((socket) => setTimeout(() => socket.destroy(), 100));
    await new Promise<void>((listening) => dropping.listen(0, '127.0.0.1', listening));
    try {
      const away = logger({
        server: `http://127.0.0.1:${(dropping.address() as { port: number }).port}`,
        highWaterEntries: 10,
        retryMaxMs: 200,
        onWarning: () => undefined,
      });
      for (let i = 0; i < 20; i++) away.info(`held ${i}`);
      await eventually(() => !away.backlogged, 10_000, 'the outage to be noticed');
      await away.drained();
      // Never: not during the tries that follow either, with more entries held meanwhile.
      for (let i = 20; i < 40; i++) away.info(`held ${i}`);
      const seen = new Set<boolean>();
      const sampling = setInterval(() => seen.add(away.backlogged), 5);
      await new Promise((done) => setTimeout(done, 1_500));
      clearInterval(sampling);
      expect([...seen]).toEqual([false]);
    } finally {
      await new Promise((closed) => dropping.close(closed));
    }
  });

  it('counts a server that stops answering as unreachable: warns once, stops holding producers, keeps a bounded queue', async () => {
    const silent = await silentServer();
    const warnings: string[] = [];
    try {
      const stuck = logger({
        server: silent.url,
        timeoutMs: 300,
        highWaterEntries: 10,
        maxQueue: 50,
        onWarning: (text) => warnings.push(text),
      });
      for (let i = 0; i < 20; i++) stuck.info(`waiting ${i}`);
      expect(stuck.backlogged).toBe(true);
      await stuck.drained(); // released by the timeout, not by the server
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/no answer within 300 ms/);
      expect(stuck.backlogged).toBe(false);
      for (let i = 0; i < 100; i++) stuck.info(`more ${i}`);
      expect(stuck.stats).toMatchObject({ queued: 50, sent: 0 });
      await new Promise((done) => setTimeout(done, 1_000)); // retries time out too: still one warning
      expect(warnings).toHaveLength(1);
      await expect(stuck.close(100)).rejects.toThrow(/could not be sent/);
    } finally {
      await silent.close();
    }
  });

  it('splits every queued entry to a smaller server limit, those queued before it was known too', async () => {
    const small = await BuiltServer.start({ MAX_MESSAGE_BYTES: '1000' });
    const errors: Error[] = [];
    try {
      const log = logger({ server: small.url, onError: (error) => errors.push(error) });
      // Both queued at the default 64 KiB limit, before the server named its own.
      log.info('C'.repeat(1_500));
      log.info('D'.repeat(1_500));
      log.info('short');
      await log.flush(20_000);
      const got = (await new SessionsClient({ server: small.url }).logs.read(log.id)).entries;
      expect(got.map((entry) => `${entry.message[0]}${entry.message.length}`)).toEqual([
        'C1000',
        'C500',
        'D1000',
        'D500',
        's5',
      ]);
      expect(errors).toEqual([]);
      expect(log.stats.rejected).toBe(0);
      log.info('E'.repeat(2_500)); // split as it is queued, now that the limit is known
      await log.flush(20_000);
      const after = (await new SessionsClient({ server: small.url }).logs.read(log.id, { cursor: 5 })).entries;
      expect(after.map((entry) => entry.message.length)).toEqual([1000, 1000, 500]);
      await log.close(5_000);
    } finally {
      await small.stop();
    }
  });

  it('keeps its batches within the limits a 413 names (MAX_BODY_BYTES, MAX_BATCH_ENTRIES): one 413 each', async () => {
    const small = await BuiltServer.start({ MAX_BODY_BYTES: '20000', MAX_BATCH_ENTRIES: '10' });
    const proxy = await FaultProxy.start(small.url);
    try {
      const log = logger({ server: proxy.url });
      const lines = Array.from({ length: 1_000 }, (_, i) => `line ${i} ${'x'.repeat(90)}`);
      for (const line of lines.slice(0, 500)) log.info(line);
      await log.flush(60_000);
      for (const line of lines.slice(500)) log.info(line);
      await log.flush(60_000);
      const got = await new SessionsClient({ server: small.url }).logs.readAll(log.id);
      expect(got.entries.map((entry) => entry.message)).toEqual(lines);
      const refused = proxy.seen.filter((request) => request.url.endsWith('/log') && request.answer?.status === 413);
      // The first batch is over 20,000 bytes, the next (within them) over 10 entries; none after.
      expect(refused).toHaveLength(2);
      expect(log.stats).toMatchObject({ sent: 1_000, rejected: 0 });
      await log.close(5_000);
    } finally {
      await proxy.stop();
      await small.stop();
    }
  });

  it('sends at once while a producer waits on drained(), even when the backlog is smaller than a batch', async () => {
    // A pipe that waits whenever 10 entries are queued, and a flush interval far longer than
    // the test: each wait must end with a send, not with the timer (zen-sessions run
    // --buffer-lines 5000 waited 200 ms per 5,000 lines: 42 s for 1,000,000).
    const log = logger({ highWaterEntries: 10, maxQueue: 1_000, flushIntervalMs: 60_000 });
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      log.info(`piped ${i}`);
      if (log.backlogged) await log.drained();
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    await log.flush();
    expect((await messages(log.id)).length).toBe(100);
  });

  it('retries a 429 no sooner than its Retry-After, and a 503', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      let faults = 0;
      proxy.fault = (req) => {
        if (!req.url?.endsWith('/log') || faults >= 2) return null;
        faults++;
        return faults === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 503 };
      };
      const log = logger({ server: proxy.url });
      log.info('patient');
      await log.flush(20_000);
      const appends = proxy.seen.filter((request) => request.url.endsWith('/log'));
      expect(appends).toHaveLength(3);
      expect(appends[1].at - appends[0].at).toBeGreaterThanOrEqual(950);
      expect(await messages(log.id)).toEqual(['info patient']);
    } finally {
      await proxy.stop();
    }
  });

  it('waits out a Retry-After longer than a timer can wait (35 days) rather than retrying at once', async () => {
    const proxy = await FaultProxy.start(server.url);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      // As many 429s as it asks for: a logger that does not wait asks again and again.
      proxy.fault = (req) =>
        req.url?.endsWith('/log') ? { status: 429, headers: { 'retry-after': '3000000' } } : null;
      const log = logger({ server: proxy.url, heartbeatMs: 200 });
      log.info('held back');
      const requests = (ending: string) => proxy.seen.filter((request) => request.url.endsWith(ending));
      // While it waits, heartbeats go on (see the test below): a few of them, and still the one append.
      const waited = () => requests(log.id).length >= 4 || requests('/log').length > 1;
      await eventually(waited, 20_000, 'heartbeats while waiting, or a second append');
      expect(requests('/log')).toHaveLength(1);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
      await expect(log.close(100)).rejects.toBeInstanceOf(FlushTimeoutError);
    } finally {
      process.off('warning', onWarning);
      await proxy.stop();
    }
  });

  it('takes a timeoutMs longer than a timer can wait as a long one, not as one that ends at once', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const patient = new SessionsClient({ server: server.url, timeoutMs: Number.MAX_SAFE_INTEGER });
      const session = await patient.sessions.create({ appname: 'patient' });
      await expect(patient.logs.append(session.id, { message: 'in time' })).resolves.toMatchObject({ appended: 1 });
      const log = logger({ timeoutMs: Number.MAX_SAFE_INTEGER });
      log.info('sent');
      await log.flush(Number.MAX_SAFE_INTEGER);
      expect(await messages(log.id)).toEqual(['info sent']);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('keeps its session alive with heartbeats while it waits out a Retry-After longer than the session timeout', async () => {
    const limited = await BuiltServer.start({ MAX_APPEND_ENTRIES_PER_S: '100', SESSIONS_TIMEOUT_S: '2' });
    try {
      const limitedClient = new SessionsClient({ server: limited.url });
      const warnings: string[] = [];
      const log = logger({ server: limited.url, heartbeatMs: 500, onWarning: (warning) => warnings.push(warning) });
      const logged = Array.from({ length: 500 }, (_, i) => `m${i}`);
      for (const message of logged) log.info(message);
      // One larger batch gets in; the session then waits off its debt, 4 s and more.
      await log.flush();
      log.info('after the wait');
      await eventually(() => warnings.length > 0, 10_000, 'the rate limit');
      expect(warnings[0]).toMatch(/over MAX_APPEND_ENTRIES_PER_S; retry after \d+ s/);
      await log.flush(30_000);
      expect((await limitedClient.sessions.get(log.id)).status).toBe('active');
      const seen = (await limitedClient.logs.readAll(log.id)).entries.map((entry) => entry.message);
      expect(seen).toEqual([...logged, 'after the wait']);
    } finally {
      await limited.stop();
    }
  });

  it('sends an entry whose data is larger than the server takes with that data cut to fit, never refused', async () => {
    const errors: Error[] = [];
    const log = logger({ onError: (error) => errors.push(error) });
    const big = { blob: 'x'.repeat(70_000) };
    // Escapes and characters of several bytes make the JSON longer than its text.
    const quoted = { quotes: '"\\'.repeat(30_000), wide: 'é😀'.repeat(10_000) };
    log.info('before');
    log.error('request failed', big);
    log.warn('odd text', quoted);
    log.info('after', { small: true });
    await log.flush();
    expect(errors).toEqual([]);
    expect(log.stats).toMatchObject({ sent: 4, rejected: 0 });
    const entries = (await client.logs.read(log.id)).entries;
    expect(entries.map((entry) => `${entry.level} ${entry.message}`)).toEqual([
      'info before',
      'error request failed',
      'warn odd text',
      'info after',
    ]);
    for (const [entry, data] of [
      [entries[1], big],
      [entries[2], quoted],
    ] as const) {
      const json = JSON.stringify(data);
      expect(entry.data).toMatchObject({ truncated: true, bytes: Buffer.byteLength(json) });
      const start = entry.data?.['json'] as string;
      expect(json.startsWith(start)).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(entry.data))).toBeLessThanOrEqual(65_536);
      expect(start.length).toBeGreaterThan(10_000);
    }
    expect(entries[3].data).toEqual({ small: true });
  });

  it('cuts data to the maxDataBytes it is given, before the server would have to refuse it', async () => {
    const log = logger({ maxDataBytes: 200 });
    const wide = { text: 'w'.repeat(1_000) };
    log.info('wide', wide);
    log.info('narrow', { ok: 1 });
    await log.flush();
    expect(log.stats).toMatchObject({ sent: 2, rejected: 0 });
    const [first, second] = (await client.logs.read(log.id)).entries;
    expect(first.data).toMatchObject({ truncated: true, bytes: JSON.stringify(wide).length });
    expect(Buffer.byteLength(JSON.stringify(first.data))).toBeLessThanOrEqual(200);
    expect(second.data).toEqual({ ok: 1 });
  });

  it('cuts data to a smaller MAX_DATA_BYTES the server names, those queued before it was known too', async () => {
    const small = await BuiltServer.start({ MAX_DATA_BYTES: '300' });
    try {
      const smallClient = new SessionsClient({ server: small.url });
      const errors: Error[] = [];
      const log = logger({ server: small.url, onError: (error) => errors.push(error) });
      const medium = { text: 'm'.repeat(1_000) };
      const huge = { text: 'h'.repeat(100_000) };
      log.info('medium', medium);
      log.info('huge', huge);
      log.info('fits', { ok: 1 });
      await log.flush();
      log.info('later', medium);
      await log.flush();
      expect(errors).toEqual([]);
      const entries = (await smallClient.logs.read(log.id)).entries;
      expect(entries.map((entry) => entry.message)).toEqual(['medium', 'huge', 'fits', 'later']);
      for (const [entry, data] of [
        [entries[0], medium],
        [entries[1], huge],
        [entries[3], medium],
      ] as const) {
        const json = JSON.stringify(data);
        // The data's own size, not that of the stand-in the 64 KiB limit had made of it first.
        expect(entry.data).toMatchObject({ truncated: true, bytes: Buffer.byteLength(json) });
        expect(json.startsWith(entry.data?.['json'] as string)).toBe(true);
        expect(Buffer.byteLength(JSON.stringify(entry.data))).toBeLessThanOrEqual(300);
      }
      expect(entries[2].data).toEqual({ ok: 1 });
      // Learned once: the later entry went out cut, in one request.
      expect(log.stats).toMatchObject({ sent: 4, rejected: 0 });
    } finally {
      await small.stop();
    }
  });

  it('cuts the data of an entry alone too large for a MAX_BODY_BYTES below the data limit, its message whole', async () => {
    const small = await BuiltServer.start({ MAX_BODY_BYTES: '16384' });
    try {
      const errors: Error[] = [];
      const log = logger({ server: small.url, onError: (error) => errors.push(error) });
      const body = { body: 'r'.repeat(40_000) };
      log.error('the upstream answered 500', body);
      log.info('next', { n: 1 });
      await log.flush(60_000);
      expect(errors).toEqual([]);
      const entries = (await new SessionsClient({ server: small.url }).logs.read(log.id)).entries;
      expect(entries.map(({ message }) => message)).toEqual(['the upstream answered 500', 'next']);
      expect(entries[0].data).toMatchObject({ truncated: true, bytes: JSON.stringify(body).length });
      expect(JSON.stringify(body).startsWith(entries[0].data?.['json'] as string)).toBe(true);
      expect(entries[1].data).toEqual({ n: 1 });
    } finally {
      await small.stop();
    }
  });

  it('sends entries without their data to a server whose MAX_DATA_BYTES is too small for a stand-in', async () => {
    const tiny = await BuiltServer.start({ MAX_DATA_BYTES: '8' });
    try {
      const log = logger({ server: tiny.url });
      log.info('with data', { text: 'more than eight bytes' });
      log.info('small data', { a: 1 });
      await log.flush();
      const entries = (await new SessionsClient({ server: tiny.url }).logs.read(log.id)).entries;
      expect(entries.map(({ message, data }) => ({ message, data }))).toEqual([
        { message: 'with data', data: undefined },
        { message: 'small data', data: { a: 1 } },
      ]);
    } finally {
      await tiny.stop();
    }
  });

  it('never retries another 4xx: a rejected entry is dropped alone and reported', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      // A refusal of one entry that names no limit the logger could fit it to.
      proxy.fault = (req, body) => (req.url?.endsWith('/log') && body.includes('poisoned') ? { status: 400 } : null);
      const errors: [Error, SessionRefusal][] = [];
      const log = logger({ server: proxy.url, onError: (error, refusal) => errors.push([error, refusal]) });
      log.info('before');
      log.info('refused by the proxy', { blob: 'poisoned' });
      log.info('after');
      await log.flush();
      expect(await messages(log.id)).toEqual(['info before', 'info after']);
      expect(errors).toHaveLength(1);
      expect(errors[0][0]).toMatchObject({ status: 400 });
      // One entry, not the session: the logger goes on.
      expect(errors[0][1]).toEqual({ stopped: false, opened: true });
      expect(log.stats.rejected).toBe(1);
      const rejected = proxy.seen.filter((request) => request.url.endsWith('/log'));
      // The batch of 3, then halves until the bad entry stands alone (3, 2, 1, 1, 1): never the same request again.
      expect(rejected.length).toBeLessThanOrEqual(5);
    } finally {
      await proxy.stop();
    }
  });

  it('stops on an ended session: flush rejects with the 409, onError says the session was refused', async () => {
    const refusals: [Error, SessionRefusal][] = [];
    const log = logger({ onError: (error, refusal) => refusals.push([error, refusal]) });
    log.info('first');
    await log.flush();
    await client.sessions.end(log.id);
    log.info('second');
    const failure = await log.flush(10_000).catch((error) => error);
    expect(failure).toMatchObject({ status: 409 });
    expect(refusals).toEqual([[failure, { stopped: true, opened: true }]]);
    // Logged after the refusal: counted as rejected at once, not held in the queue.
    log.info('third');
    log.appendBytes('info', Buffer.from('fourth'), 0, 6);
    expect(log.stats).toMatchObject({ queued: 0, rejected: 3 });
  });

  it('attaches to an existing session without ending it, and refuses an unknown one or one it cannot append to', async () => {
    const id = newSessionId();
    await client.sessions.upsert(id, { appname: 'owner' });
    const attached = logger({ id, attach: true });
    attached.info('appended');
    await attached.close();
    expect(await client.sessions.get(id)).toMatchObject({ status: 'active', appname: 'owner', logCursor: 1 });

    const unknown = logger({ id: newSessionId(), attach: true });
    unknown.info('nowhere');
    await expect(unknown.flush(10_000)).rejects.toMatchObject({ status: 404 });

    // One that cannot be appended to is refused as such with nothing logged too.
    const { serverSessionId } = await client.sessions.list();
    await expect(logger({ id: serverSessionId, attach: true }).flush(10_000)).rejects.toMatchObject({ status: 403 });
  });

  it('continues a session that exists with the whenExists fields: it keeps its own, its metadata merges', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      // The opening requests meet a failing server first: retried with backoff, as any other.
      let faults = 0;
      proxy.fault = (req) =>
        req.method === 'POST' && !req.url?.endsWith('/log') && faults++ < 2 ? { status: 503 } : null;
      const id = newSessionId();
      await client.sessions.upsert(id, {
        appname: 'owner',
        mode: 'm',
        jobid: 'j',
        metadata: { stage: 'cook', pid: 1 },
      });
      await client.logs.append(id, [{ message: 'first' }]);
      const metadata = { pid: 2, cwd: '/work' };
      const log = logger({ server: proxy.url, id, mode: 'run', metadata, whenExists: { metadata } });
      log.info('second');
      log.updateMetadata({ exitCode: 0 });
      await log.close(20_000);
      expect(faults).toBeGreaterThanOrEqual(2);
      expect(await client.sessions.get(id)).toMatchObject({
        appname: 'owner',
        mode: 'm',
        jobid: 'j',
        status: 'ended',
        metadata: { stage: 'cook', pid: 2, cwd: '/work', exitCode: 0 },
      });
      expect(await messages(id)).toEqual(['info first', 'info second']);

      // An appname given there is set too; the other fields stay the session's.
      const renamed = newSessionId();
      await client.sessions.upsert(renamed, { appname: 'owner', mode: 'm', jobid: 'j' });
      const again = logger({ id: renamed, mode: 'run', whenExists: { appname: 'other', metadata } });
      await again.close(10_000);
      expect(await client.sessions.get(renamed)).toMatchObject({ appname: 'other', mode: 'm', jobid: 'j', metadata });
    } finally {
      await proxy.stop();
    }
  });

  it('creates a session that does not exist with the full fields, not the whenExists ones', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      const id = newSessionId();
      const metadata = { pid: 2 };
      const log = logger({ server: proxy.url, id, mode: 'run', jobid: 'k', metadata, whenExists: { metadata } });
      log.info('only');
      await log.close(10_000);
      expect(await client.sessions.get(id)).toMatchObject({
        appname: 'logger-test',
        mode: 'run',
        jobid: 'k',
        status: 'ended',
        metadata,
      });
      expect(await messages(id)).toEqual(['info only']);
      // The whenExists body (refused: a create needs an appname), then the create.
      const opening = proxy.seen.filter((request) => request.method === 'POST' && request.url.endsWith(id));
      expect(opening).toHaveLength(2);

      // With an appname there, a session created from them would lack the mode: the full fields make it.
      const named = newSessionId();
      const created = logger({ id: named, appname: 'given', mode: 'run', whenExists: { appname: 'given' } });
      await created.close(10_000);
      expect(await client.sessions.get(named)).toMatchObject({ appname: 'given', mode: 'run', jobid: null });
    } finally {
      await proxy.stop();
    }
  });

  it('stops on an ended session given whenExists, as without it: flush rejects with the 409', async () => {
    const id = newSessionId();
    await client.sessions.upsert(id, { appname: 'owner', mode: 'm' });
    await client.sessions.end(id);
    const refusals: [Error, SessionRefusal][] = [];
    const log = logger({ id, whenExists: { metadata: { pid: 2 } }, onError: (...refusal) => refusals.push(refusal) });
    log.info('too late');
    const failure = await log.flush(10_000).catch((error) => error);
    expect(failure).toMatchObject({ status: 409 });
    // Never opened: the owner can say the session could not be opened, not that it was cut off.
    expect(refusals).toEqual([[failure, { stopped: true, opened: false }]]);
    expect(await client.sessions.get(id)).toMatchObject({ appname: 'owner', mode: 'm', metadata: {} });
  });

  it('creates a continued session again as it was when a server without persistence lost it', async () => {
    await withRestartingServer(async (restarting) => {
      const id = newSessionId();
      const before = new SessionsClient({ server: restarting.url });
      await before.sessions.upsert(id, { appname: 'owner', mode: 'm', jobid: 'j', metadata: { stage: 'cook' } });
      const log = logger({ server: restarting.url, id, mode: 'run', whenExists: { metadata: { pid: 2 } } });
      log.info('before restart');
      await log.flush();
      await restarting.crash();
      log.info('after restart');
      await log.flush(20_000);
      const again = new SessionsClient({ server: restarting.url });
      expect(await again.sessions.get(id)).toMatchObject({
        appname: 'owner',
        mode: 'm',
        jobid: 'j',
        metadata: { stage: 'cook', pid: 2 },
      });
      expect((await again.logs.read(id)).entries.map((entry) => entry.message)).toEqual(['after restart']);
    });
  });

  it('keeps an idle session alive with heartbeats', async () => {
    const log = logger({ heartbeatMs: 400 });
    log.info('then silence');
    await log.flush();
    await new Promise((done) => setTimeout(done, 4_500)); // the server ends sessions idle for 2 s
    expect((await client.sessions.get(log.id)).status).toBe('active');

    const silent = new SessionsClient({ server: server.url });
    const control = await silent.sessions.create({ appname: 'no heartbeat' });
    await eventually(async () => (await silent.sessions.get(control.id)).status === 'ended', 10_000, 'expiry');
  });

  it('drops a metadata update the server refuses with 400 and goes on: later entries sent, the session ended', async () => {
    const refusals: [string, SessionRefusal][] = [];
    const log = logger({ onError: (error, refusal) => refusals.push([error.message, refusal]) });
    log.info('before');
    await log.flush();
    log.updateMetadata({ ['k'.repeat(200)]: 'a key longer than the server takes' });
    log.info('after');
    await log.flush();
    log.updateMetadata({ stage: 'done' });
    await log.close();
    expect(await messages(log.id)).toEqual(['info before', 'info after']);
    expect(await client.sessions.get(log.id)).toMatchObject({ status: 'ended', metadata: { stage: 'done' } });
    expect(refusals).toEqual([[expect.stringMatching(/metadata/), { stopped: false, opened: true }]]);
    expect(log.stats).toMatchObject({ sent: 2, rejected: 0 });
  });

  it('opens its session without the metadata the server refuses (process.env given whole), and sends every entry', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`VAR_${i}`, 'value']));
    for (const [metadata, whenExists] of [
      [tooMany, undefined],
      [{ ['k'.repeat(200)]: 'a key longer than the server takes' }, undefined],
      [tooMany, { mode: 'continued' }],
    ] as const) {
      const refusals: [string, SessionRefusal][] = [];
      const log = logger({
        appname: 'env-logger',
        metadata,
        whenExists,
        onError: (error, refusal) => refusals.push([error.message, refusal]),
      });
      log.info('first');
      log.updateMetadata({ stage: 'start' });
      log.warn('second');
      await log.flush(20_000);
      log.updateMetadata({ stage: 'done' });
      await log.close(20_000);
      expect(await messages(log.id)).toEqual(['info first', 'warn second']);
      expect(await client.sessions.get(log.id)).toMatchObject({
        appname: 'env-logger',
        status: 'ended',
        metadata: { stage: 'done' },
      });
      expect(refusals).toEqual([[expect.stringMatching(/^metadata/), { stopped: false, opened: false }]]);
      expect(log.stats).toMatchObject({ sent: 2, rejected: 0 });
    }
  });

  it('still stops when its opening is refused for something other than metadata', async () => {
    const refusals: [string, SessionRefusal][] = [];
    const log = logger({
      appname: 'a'.repeat(300),
      metadata: { fine: true },
      onError: (error, refusal) => refusals.push([error.message, refusal]),
    });
    log.info('never sent');
    await expect(log.flush(20_000)).rejects.toMatchObject({ status: 400 });
    expect(refusals).toEqual([[expect.stringMatching(/appname/), { stopped: true, opened: false }]]);
  });

  it('flush() resolves once what was logged before it is sent, while a producer goes on logging', async () => {
    const log = logger();
    let logged = 0;
    let producing = true;
    const produce = async () => {
      while (producing) {
        for (let i = 0; i < 50; i++) log.info(`line ${logged++}`);
        if (log.backlogged) await log.drained();
        await new Promise((next) => setImmediate(next));
      }
    };
    const producer = produce();
    try {
      await eventually(() => expect(log.stats.sent).toBeGreaterThan(0));
      const loggedBefore = logged;
      // The queue is never empty while the producer runs: waiting for that, flush() would wait for ever.
      await log.flush(30_000);
      expect(log.stats.sent).toBeGreaterThanOrEqual(loggedBefore);
      expect(log.stats.dropped).toBe(0);
    } finally {
      producing = false;
      await producer;
    }
  });

  it('close() sends what is pending, merges metadata and ends the session', async () => {
    const log = logger();
    log.info('last words');
    log.updateMetadata({ exitCode: 0 });
    await log.close();
    const session = await client.sessions.get(log.id);
    expect(session).toMatchObject({ status: 'ended', endReason: 'deleted', metadata: { exitCode: 0 } });
    expect(await messages(log.id)).toEqual(['info last words']);
  });

  it('close() retries ending the session through an outage, as it retries entries', async () => {
    const proxy = await FaultProxy.start(server.url);
    try {
      const log = logger({ server: proxy.url });
      log.info('sent before the outage');
      await log.flush(10_000);
      let refusals = 0;
      proxy.fault = (req) => (req.method === 'DELETE' && refusals++ < 3 ? { status: 503 } : null);
      await log.close(20_000);
      expect((await client.sessions.get(log.id)).status).toBe('ended');
      expect(proxy.seen.filter((request) => request.method === 'DELETE')).toHaveLength(4);
    } finally {
      await proxy.stop();
    }
  });

  it('close() twice answers as the first did; a flush() during or after a close that gave up rejects', async () => {
    const port = await freePort();
    const log = logger({ server: `http://127.0.0.1:${port}` });
    log.info('never sent');
    const flushing = log.flush();
    const closing = log.close(300);
    await expect(closing).rejects.toThrow(FlushTimeoutError);
    await expect(flushing).rejects.toThrow(SessionLoggerClosedError);
    expect(log.close()).toBe(closing);
    await expect(log.flush()).rejects.toMatchObject({ unsent: 1 });

    const done = logger();
    done.info('sent');
    await done.close(10_000);
    await done.close();
    done.info('after close: ignored');
    await done.flush();
    expect(await messages(done.id)).toEqual(['info sent']);
    expect((await client.sessions.get(done.id)).status).toBe('ended');
  });

  it('counts a batch whose request is still out among the unsent entries a close that gave up reports', async () => {
    const silent = await silentServer();
    try {
      const stuck = logger({ server: silent.url, alreadyOpen: true, flushIntervalMs: 0 });
      for (let i = 0; i < 3; i++) stuck.info(`unanswered ${i}`);
      await eventually(() => silent.sockets.size > 0 && stuck.stats.queued === 0, 10_000, 'the batch to be out');
      const waiting = stuck.flush();
      const error = await stuck.close(200).catch((caught) => caught);
      expect(error).toBeInstanceOf(FlushTimeoutError);
      expect(error).toMatchObject({ unsent: 3, message: '3 log entries could not be sent within 200 ms' });
      await expect(waiting).rejects.toMatchObject({ name: 'SessionLoggerClosedError', unsent: 3 });
    } finally {
      await silent.close();
    }
  });

  it('close(timeoutMs) that gives up on a server that never answers lets the process exit then, not at the request timeout', async () => {
    const silent = await silentServer();
    try {
      const main = script(
        `const log = lib.createSessionLogger({ server: process.argv[2], appname: 'stalled' });
         log.info('never answered');
         log.close(500).catch((error) => console.log(error.name));`,
      );
      const started = Date.now();
      const { stdout } = await promisify(execFile)(process.execPath, [main, silent.url], { timeout: 25_000 });
      expect(stdout.trim()).toBe('FlushTimeoutError');
      // The request still out (the default timeout is 30 s) is given up with the logger.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await silent.close();
    }
  });

  it('creates the session again when a server without persistence restarted', async () => {
    await withRestartingServer(async (restarting) => {
      const log = logger({ server: restarting.url, flushIntervalMs: 50 });
      log.info('before restart');
      await log.flush();
      await restarting.crash();
      log.info('after restart');
      await log.flush(20_000);
      const again = new SessionsClient({ server: restarting.url });
      expect((await again.logs.read(log.id)).entries.map((entry) => entry.message)).toEqual(['after restart']);
    });
  });

  it('creates the session again when its first request after a restart is a heartbeat', async () => {
    await withRestartingServer(async (restarting) => {
      const log = logger({ server: restarting.url, heartbeatMs: 100 });
      await log.flush();
      await restarting.crash();
      // Nothing queued: the heartbeat (an empty POST, refused as a create without appname) comes first.
      const again = new SessionsClient({ server: restarting.url });
      await eventually(async () => (await again.sessions.get(log.id)).status === 'active', 20_000);
      expect((await again.sessions.get(log.id)).appname).toBe('logger-test');
    });
  });

  it('creates the session again when its first request after a restart is a metadata update, and ends it', async () => {
    await withRestartingServer(async (restarting) => {
      const log = logger({ server: restarting.url, heartbeatMs: 0 });
      await log.flush();
      await restarting.crash();
      // As `zen-sessions run` ends: the exit code (a POST without appname, refused as a create) before the held lines.
      log.info('held while away');
      log.updateMetadata({ exitCode: 0 });
      await log.close(20_000);
      const again = new SessionsClient({ server: restarting.url });
      expect(await again.sessions.get(log.id)).toMatchObject({
        appname: 'logger-test',
        status: 'ended',
        metadata: { exitCode: 0 },
      });
      expect((await again.logs.read(log.id)).entries.map((entry) => entry.message)).toEqual(['held while away']);
    });
  });

  it('sends a pending batch before a normal process exit', async () => {
    const id = newSessionId();
    const { code } = await runScript(
      `const log = lib.createSessionLogger({ server: process.argv[2], appname: 'exiting', id: process.argv[3], flushIntervalMs: 60_000 });
       log.info('sent at exit');`,
      server.url,
      id,
    );
    expect(code).toBe(0);
    expect(await messages(id)).toEqual(['info sent at exit']);
  });

  // Found by review: Node runs nothing asynchronous once process.exit() is called or an exception
  // goes uncaught, and whatever the logger held (a crashing tool's last lines) was lost.
  it('sends what is pending, opening the session first, when the process exits through process.exit()', async () => {
    const id = newSessionId();
    const { code } = await runScript(
      `const log = lib.createSessionLogger({ server: process.argv[2], appname: 'exiting', id: process.argv[3], flushIntervalMs: 60_000 });
       log.info('one');
       log.warn('two', { step: 2 });
       log.updateMetadata({ stage: 'last' });
       process.exit(3);`,
      server.url,
      id,
    );
    expect(code).toBe(3);
    expect(await client.sessions.get(id)).toMatchObject({
      appname: 'exiting',
      status: 'active',
      metadata: { stage: 'last' },
    });
    expect((await client.logs.read(id)).entries.map(({ level, message, data }) => [level, message, data])).toEqual([
      ['info', 'one', undefined],
      ['warn', 'two', { step: 2 }],
    ]);
  });

  it('sends what is pending when an uncaught exception ends the process, in batches within its limits', async () => {
    const id = newSessionId();
    const { code, output } = await runScript(
      `const log = lib.createSessionLogger({ server: process.argv[2], appname: 'crashing', id: process.argv[3], flushIntervalMs: 60_000, maxBatchBytes: 2_000 });
       for (let i = 0; i < 100; i++) log.info('line ' + i + ' ' + 'x'.repeat(50));
       log.error('about to fail');
       throw new Error('the tool failed');`,
      server.url,
      id,
    );
    expect(code).toBe(1);
    expect(output).toContain('the tool failed');
    const { entries } = await client.logs.readAll(id);
    expect(entries).toHaveLength(101);
    expect(entries.map((entry) => entry.seq)).toEqual([...Array(101).keys()]);
    expect(entries[100]).toMatchObject({ level: 'error', message: 'about to fail' });
  });

  it('exits, keeping its exit code, though a server takes the connection and never answers (exitTimeoutMs bounds the wait)', async () => {
    const silent = await silentServer();
    try {
      const { code } = await runScript(
        `const log = lib.createSessionLogger({ server: process.argv[2], appname: 'stuck', exitTimeoutMs: 500 });
         log.info('never sent');
         process.exit(4);`,
        silent.url,
      );
      expect(code).toBe(4);
    } finally {
      await silent.close();
    }
  });

  it('sends nothing at process.exit() with exitTimeoutMs 0', async () => {
    const id = newSessionId();
    const { code } = await runScript(
      `const log = lib.createSessionLogger({ server: process.argv[2], appname: 'quiet', id: process.argv[3], exitTimeoutMs: 0 });
       log.info('not sent');
       process.exit(0);`,
      server.url,
      id,
    );
    expect(code).toBe(0);
    await expect(client.sessions.get(id)).rejects.toMatchObject({ status: 404 });
  });

  it('sends the pending batches of many loggers at exit, with no warning of a listener leak', async () => {
    const ids = Array.from({ length: 15 }, () => newSessionId());
    const main = script(
      `for (const id of process.argv.slice(3)) {
         lib.createSessionLogger({ server: process.argv[2], appname: 'many', id, flushIntervalMs: 60_000 }).info('sent at exit');
       }`,
    );
    const { stderr } = await promisify(execFile)(process.execPath, [main, server.url, ...ids], { timeout: 20_000 });
    expect(stderr).toBe('');
    for (const id of ids) expect(await messages(id)).toEqual(['info sent at exit']);
  });

  it('before a normal process exit, retries a server that is away with its backoff, not three times at once', async () => {
    // Nothing listens on the port at first (the server is away: refused), then a gate to the server does.
    const port = await freePort();
    const gate = createServer((socket) => {
      const upstream = new Socket().connect(server.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    try {
      const id = newSessionId();
      const main = script(
        `const log = lib.createSessionLogger({
           server: process.argv[2], appname: 'exiting', id: process.argv[3], retryInitialMs: 2_000,
           onWarning: (warning) => console.log(warning),
         });
         log.info('sent at exit, once the server is back');`,
      );
      const child = new Child(spawn(process.execPath, [main, `http://127.0.0.1:${port}`, id]));
      await eventually(() => /ECONNREFUSED/.test(child.output) || !child.alive, 10_000, 'the first attempt refused');
      await new Promise<void>((listening) => gate.listen(port, '127.0.0.1', listening));
      expect(await child.closed).toBe(0);
      expect(await messages(id)).toEqual(['info sent at exit, once the server is back']);
    } finally {
      gate.close();
    }
  });
});

describe('session logger backpressure (a fetch that answers when told)', () => {
  it('is backlogged once a full batch waits, and lets the producer fill the next batch while one is out', async () => {
    const unanswered: (() => void)[] = [];
    let answerAtOnce = false;
    const ok = () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    const fetch = (async () =>
      answerAtOnce
        ? ok()
        : new Promise<Response>((answer) => unanswered.push(() => answer(ok())))) as typeof globalThis.fetch;
    const log = createSessionLogger({
      server: 'http://logger.test',
      appname: 'backpressure',
      alreadyOpen: true,
      endOnClose: false,
      heartbeatMs: 0,
      flushOnExit: false,
      maxBatchBytes: 2_000,
      fetch,
    });
    const line = 'x'.repeat(90);
    while (!log.backlogged) log.info(line);
    await eventually(() => unanswered.length === 1, 5_000, 'the first batch to go out');
    // One batch out and one full batch waiting: far below the 20,000 entries of the high-water mark.
    expect(log.stats.queued).toBeLessThan(2_000 / 90);
    const drained = log.drained();
    unanswered.shift()?.();
    // Released as soon as the waiting batch went out, not once it is answered.
    await drained;
    expect(unanswered).toHaveLength(1);
    expect(log.backlogged).toBe(false);
    answerAtOnce = true;
    unanswered.shift()?.();
    await log.close(5_000);
  });
});

describe('session logger heartbeats (a fake clock, a fetch that answers in 10 ms)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('sends a heartbeat heartbeatMs after the last answer, not up to half an interval later', async () => {
    const sentAt: number[] = [];
    const fetch = (async () => {
      sentAt.push(Date.now());
      await new Promise((answered) => setTimeout(answered, 10));
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const log = createSessionLogger({
      server: 'http://logger.test',
      appname: 'heartbeats',
      alreadyOpen: true,
      endOnClose: false,
      heartbeatMs: 1_000,
      flushOnExit: false,
      fetch,
    });
    await jest.advanceTimersByTimeAsync(4_500);
    // Each 1,000 ms after the previous one was answered (a half-interval tick sent them 1,500 ms apart).
    expect(sentAt).toEqual([1_000, 2_010, 3_020, 4_030]);
    await log.close(1_000);
  });
});
