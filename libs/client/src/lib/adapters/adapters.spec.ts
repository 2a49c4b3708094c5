import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { buildSync } from 'esbuild';
import pino from 'pino';
import winston from 'winston';
import { createPinoDestination } from '../../pino';
import { SessionNestLogger } from '../../nest';
import { SessionTransport } from '../../winston';
import { BuiltServer, bundleForNode, eventually, freePort, REPO } from '@zen/testing';
import { newSessionId } from '../ids';
import { createSessionLogger } from '../logger/session-logger';
import { SessionsClient } from '../rest/sessions-client';

describe('logger adapters against the built server', () => {
  let server: BuiltServer;
  let client: SessionsClient;
  const entries = async (id: string) =>
    (await client.logs.readAll(id)).entries.map(({ level, message, data }) => ({ level, message, data }));

  /** Where the tests that bundle a transport or a script make their directories; removed after the tests. */
  let work: string;

  /** A directory of its own under `work`, and in it @zen/client/pino bundled as the file pino's worker loads. */
  function pinoTransportTarget(name: string): { dir: string; target: string } {
    const dir = mkdtempSync(join(work, name));
    const target = join(dir, 'transport.js');
    bundleForNode(join(REPO, 'libs/client/src/pino.ts'), target, { format: 'cjs' });
    return { dir, target };
  }

  beforeAll(async () => {
    server = await BuiltServer.start();
    client = new SessionsClient({ server: server.url });
    work = mkdtempSync(join(tmpdir(), 'zen-adapters-'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('pino, in process: levels mapped, msg the message, other fields in data, pino s time kept', async () => {
    const destination = createPinoDestination({ server: server.url, appname: 'pino-app' });
    const log = pino({ level: 'trace' }, destination);
    log.trace('tracing');
    log.debug({ cache: 'warm' }, 'debugging');
    log.info({ user: 'ada', n: 3 }, 'signed in');
    log.warn('slow');
    log.error(new Error('boom'), 'failed');
    log.fatal('gone');
    log.child({ module: 'db' }).info('from a child');
    pino({ timestamp: () => ',"time":1767323045678' }, destination).info('at a set time');
    await destination.logger.close();
    const got = await entries(destination.logger.id);
    expect(got.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'debug tracing',
      'debug debugging',
      'info signed in',
      'warn slow',
      'error failed',
      'error gone',
      'info from a child',
      'info at a set time',
    ]);
    const { entries: raw } = await client.logs.read(destination.logger.id, { cursor: 7 });
    expect(raw[0].time).toBe('2026-01-02T03:04:05.678Z');
    expect(got[1].data).toEqual({ cache: 'warm' });
    expect(got[2].data).toEqual({ user: 'ada', n: 3 });
    expect(got[3].data).toBeUndefined();
    expect(got[4].data?.['err']).toMatchObject({ type: 'Error', message: 'boom' });
    expect(got[6].data).toEqual({ module: 'db' });
    expect((await client.sessions.get(destination.logger.id)).status).toBe('ended');
  });

  it('pino: a level its formatters write as the label, and a time in seconds (unixTime), read as pino meant them', async () => {
    const destination = createPinoDestination({ server: server.url, appname: 'pino-formatted' });
    const labelled = pino({ formatters: { level: (label) => ({ level: label }) } }, destination);
    labelled.error('labelled error');
    labelled.warn('labelled warn');
    labelled.debug('hidden by the level');
    labelled.info('labelled info');
    pino({ timestamp: pino.stdTimeFunctions.unixTime }, destination).info('in seconds');
    await destination.logger.flush();
    const got = (await client.logs.readAll(destination.logger.id)).entries;
    expect(got.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'error labelled error',
      'warn labelled warn',
      'info labelled info',
      'info in seconds',
    ]);
    expect(Math.abs(Date.parse(got[3].time) - Date.now())).toBeLessThan(3_600_000);
    await destination.logger.close();
  });

  it('pino with another messageKey: the destination given the same one reads the message there', async () => {
    const destination = createPinoDestination({ server: server.url, appname: 'pino-message-key', messageKey: 'text' });
    const log = pino({ messageKey: 'text' }, destination);
    log.info({ user: 'ada', msg: 'a field like any other' }, 'signed in');
    log.error(new Error('boom'));
    await destination.logger.close();
    const got = await entries(destination.logger.id);
    expect(got.map(({ level, message }) => `${level} ${message}`)).toEqual(['info signed in', 'error boom']);
    expect(got[0].data).toEqual({ user: 'ada', msg: 'a field like any other' });
    expect(got[1].data?.['err']).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it('pino, as a transport in pino s worker thread, pino s messageKey among its options', async () => {
    const { target } = pinoTransportTarget('pino-');
    const id = newSessionId();
    const transport = pino.transport({
      target,
      options: { server: server.url, appname: 'pino-worker', id, messageKey: 'text' },
    });
    const log = pino({ messageKey: 'text' }, transport);
    log.info({ job: 7 }, 'through the worker');
    log.warn('and a warning');
    await eventually(async () => (await client.sessions.get(id).catch(() => null))?.logCursor === 2, 20_000);
    await new Promise<void>((done) => {
      transport.once('close', () => done());
      transport.end();
    });
    await eventually(async () => (await client.sessions.get(id)).status === 'ended', 20_000, 'the session to end');
    expect(await entries(id)).toEqual([
      { level: 'info', message: 'through the worker', data: { job: 7 } },
      { level: 'warn', message: 'and a warning' },
    ]);
  });

  it('pino: the messageKey and custom levels pino tells its stream are read, in process and in the worker, not given again', async () => {
    const options = {
      messageKey: 'text',
      customLevels: { notice: 45, critical: 55 },
      // Labels only: 'critical' and 'notice' are read by the numbers pino told, custom as they are.
      formatters: { level: (label: string) => ({ level: label }) },
    };
    const destination = createPinoDestination({ server: server.url, appname: 'pino-told-in-process' });
    const inProcess = pino(options, destination);
    inProcess.notice('notice');
    inProcess.critical('critical');
    inProcess.info({ msg: 'a field like any other' }, 'signed in');
    await destination.logger.close();

    const { target } = pinoTransportTarget('pino-told-');
    const id = newSessionId();
    const transport = pino.transport({ target, options: { server: server.url, appname: 'pino-told-worker', id } });
    // pino created well after its transport (a set-up that loads its configuration first) is heard too.
    await new Promise((ready) => transport.once('ready', ready));
    await new Promise((later) => setTimeout(later, 2_500));
    const inWorker = pino(options, transport);
    inWorker.notice('notice');
    inWorker.critical('critical');
    inWorker.info({ msg: 'a field like any other' }, 'signed in');
    await new Promise<void>((done) => {
      transport.once('close', () => done());
      transport.end();
    });
    await eventually(async () => (await client.sessions.get(id)).status === 'ended', 20_000, 'the session to end');

    const expected = [
      { level: 'warn', message: 'notice' },
      { level: 'error', message: 'critical' },
      { level: 'info', message: 'signed in', data: { msg: 'a field like any other' } },
    ];
    expect(await entries(destination.logger.id)).toEqual(expected);
    expect(await entries(id)).toEqual(expected);
  });

  it('pino, as a transport never given to pino (a set-up that ends before pino()), lets the process exit', async () => {
    const { dir, target } = pinoTransportTarget('pino-unused-');
    writeFileSync(
      join(dir, 'main.js'),
      `const pino = require(${JSON.stringify(join(REPO, 'node_modules/pino'))});
       pino.transport({ target: process.argv[2], options: { server: process.argv[3], appname: 'unused' } });`,
    );
    // Waiting for pino's configuration before the worker was ready kept this process alive for good.
    await expect(
      promisify(execFile)(process.execPath, [join(dir, 'main.js'), target, server.url], { timeout: 30_000 }),
    ).resolves.toBeDefined();
  });

  it('pino: an Error under another key than err is {} as pino writes it, unless pino s serializer is given for the key', async () => {
    const destination = createPinoDestination({ server: server.url, appname: 'pino-error-keys' });
    const failure = new Error('under error');
    pino({}, destination).warn({ error: failure }, 'no serializer');
    pino({ serializers: { error: pino.stdSerializers.err } }, destination).warn({ error: failure }, 'serialized');
    await destination.logger.close();
    expect(await entries(destination.logger.id)).toEqual([
      { level: 'warn', message: 'no serializer', data: { error: {} } },
      {
        level: 'warn',
        message: 'serialized',
        data: { error: { type: 'Error', message: 'under error', stack: failure.stack } },
      },
    ]);
  });

  it('pino, in process: a line that is no record (JSON null, a string, an array, not JSON) is its text, never a throw', async () => {
    const destination = createPinoDestination({ server: server.url, appname: 'pino-odd-lines' });
    for (const line of ['null\n', '"quoted"\n', '[1,2]\n', '42\n', 'plain text\n'])
      expect(() => destination.write(line)).not.toThrow();
    await destination.logger.close();
    expect((await entries(destination.logger.id)).map(({ level, message }) => `${level} ${message}`)).toEqual([
      'info null',
      'info "quoted"',
      'info [1,2]',
      'info 42',
      'info plain text',
    ]);
  });

  it('pino, as a transport: transport.end() while the server is away lets the process exit with 0, within pino s 10 s', async () => {
    const { dir, target } = pinoTransportTarget('pino-away-');
    // The README's example as it is: pino blocks in end() for up to 10 s, then fails the stream
    // with an 'error' event (`end() took too long (10s)`) that nothing listens to.
    writeFileSync(
      join(dir, 'main.js'),
      `const pino = require(${JSON.stringify(join(REPO, 'node_modules/pino'))});
       const transport = pino.transport({ target: process.argv[2], options: { server: process.argv[3], appname: 'away' } });
       pino(transport).info({ job: 7 }, 'never sent');
       transport.end();`,
    );
    const away = `http://127.0.0.1:${await freePort()}`;
    const run = promisify(execFile)(process.execPath, [join(dir, 'main.js'), target, away], { timeout: 30_000 });
    const { stderr } = await run;
    expect(stderr).not.toMatch(/took too long/);
  });

  it('pino, in process: pino(destination) alone, as pino(pino.destination()) is written, feeds the session', async () => {
    const destination = createPinoDestination({ server: server.url, appname: 'pino-alone' });
    pino(destination).info({ user: 'ada' }, 'given alone');
    await destination.logger.close();
    expect(await entries(destination.logger.id)).toEqual([
      { level: 'info', message: 'given alone', data: { user: 'ada' } },
    ]);
  });

  it('pino, in process: logger.flush(cb) calls back once what was logged is sent', async () => {
    const destination = createPinoDestination({ server: server.url, appname: 'pino-flush', flushIntervalMs: 60_000 });
    const log = pino({}, destination);
    log.info('before the flush');
    const flushed = await new Promise<unknown>((done) => log.flush((error) => done(error ?? 'flushed')));
    expect(flushed).toBe('flushed');
    expect((await entries(destination.logger.id)).map(({ message }) => message)).toEqual(['before the flush']);
    await destination.logger.close();
  });

  it('pino, in process: logger.flush(cb) while the server is away calls back with a FlushTimeoutError after flushTimeoutMs', async () => {
    const away = `http://127.0.0.1:${await freePort()}`;
    const destination = createPinoDestination({ server: away, appname: 'pino-flush-away', flushTimeoutMs: 300 });
    const log = pino({}, destination);
    log.info('never sent');
    // A signal handler exiting in the callback must get it: before flushTimeoutMs, it waited for good.
    const called = await Promise.race([
      new Promise<Error | undefined>((done) => log.flush((error) => done(error))),
      new Promise<string>((done) => setTimeout(() => done('no callback within 15 s'), 15_000)),
    ]);
    expect(called).toMatchObject({ name: 'FlushTimeoutError', unsent: 1 });
    await destination.logger.close(0).catch(() => undefined);
  });

  it('winston: npm levels mapped, metadata in data, the timestamp kept', async () => {
    const transport = new SessionTransport({ session: { server: server.url, appname: 'winston-app' } });
    const log = winston.createLogger({
      level: 'silly',
      format: winston.format.combine(
        winston.format.timestamp({ format: () => '2026-01-02T03:04:05.678Z' }),
        winston.format.json(),
      ),
      transports: [transport],
    });
    log.error('bad', { code: 'E1' });
    log.warn('careful');
    log.info('fine', { user: 'ada' });
    log.http('GET /');
    log.verbose('chatty');
    log.debug('details');
    log.silly('noise');
    log.child({ requestId: 'r-1' }).info('in a request');
    await transport.logger.flush();
    const got = await entries(transport.logger.id);
    expect(got.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'error bad',
      'warn careful',
      'info fine',
      'info GET /',
      'debug chatty',
      'debug details',
      'debug noise',
      'info in a request',
    ]);
    expect(got[0].data).toEqual({ code: 'E1' });
    expect(got[1].data).toBeUndefined();
    expect(got[7].data).toEqual({ requestId: 'r-1' });
    const { entries: raw } = await client.logs.read(transport.logger.id, { cursor: 0, limit: 1 });
    expect(raw[0].time).toBe('2026-01-02T03:04:05.678Z');
    await transport.logger.close();
  });

  it('winston: an Error logged as the record (logger.error(err)) keeps its stack in data, as Nest s does', async () => {
    const transport = new SessionTransport({ session: { server: server.url, appname: 'winston-error' } });
    const log = winston.createLogger({ transports: [transport] });
    const error = Object.assign(new Error('disk gone'), { code: 'EIO' });
    log.error(error);
    await transport.logger.close();
    const got = await entries(transport.logger.id);
    expect(got).toEqual([{ level: 'error', message: 'disk gone', data: { code: 'EIO', stack: error.stack } }]);
  });

  it('winston: syslog levels mapped too, and a level colorize() painted still read', async () => {
    const syslog = new SessionTransport({ session: { server: server.url, appname: 'winston-syslog' } });
    const log = winston.createLogger({ levels: winston.config.syslog.levels, level: 'debug', transports: [syslog] });
    const levels = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];
    for (const level of levels) log.log(level, level);
    const colored = new SessionTransport({ session: syslog.logger });
    const painted = winston.createLogger({
      format: winston.format.combine(winston.format.colorize(), winston.format.simple()),
      transports: [colored],
    });
    painted.error('painted error');
    painted.warn('painted warn');
    await syslog.logger.flush();
    expect((await entries(syslog.logger.id)).map(({ level, message }) => `${level} ${message}`)).toEqual([
      'error emerg',
      'error alert',
      'error crit',
      'error error',
      'warn warning',
      'info notice',
      'info info',
      'debug debug',
      'error painted error',
      'warn painted warn',
    ]);
    await syslog.logger.close();
  });

  it('winston: custom levels named as other loggers name theirs (fatal, critical, trace) map by their names', async () => {
    const transport = new SessionTransport({ session: { server: server.url, appname: 'winston-custom-levels' } });
    const levels = { fatal: 0, critical: 1, error: 2, warn: 3, info: 4, debug: 5, trace: 6, audit: 7 };
    const log = winston.createLogger({ levels, level: 'audit', transports: [transport] });
    for (const level of Object.keys(levels)) log.log(level, level);
    await transport.logger.close();
    expect((await entries(transport.logger.id)).map(({ level, message }) => `${level} ${message}`)).toEqual([
      'error fatal',
      'error critical',
      'error error',
      'warn warn',
      'info info',
      'debug debug',
      'debug trace',
      'info audit',
    ]);
  });

  it('winston: closing the logger lets the process exit while the server is away, after closeTimeoutMs', async () => {
    const dir = mkdtempSync(join(work, 'winston-'));
    writeFileSync(
      join(dir, 'main.ts'),
      `import winston from 'winston';
       import { SessionTransport } from '${join(REPO, 'libs/client/src/winston.ts')}';
       const transport = new SessionTransport({ session: { server: process.argv[2], appname: 'away' }, closeTimeoutMs: 500 });
       const logger = winston.createLogger({ transports: [transport] });
       logger.info('never sent');
       logger.close();`,
    );
    bundleForNode(join(dir, 'main.ts'), join(dir, 'main.js'), { nodePaths: [join(REPO, 'node_modules')] });
    const away = `http://127.0.0.1:${await freePort()}`;
    await expect(
      promisify(execFile)(process.execPath, [join(dir, 'main.js'), away], { timeout: 30_000 }),
    ).resolves.toBeDefined();
  });

  it('winston: a crash through handleExceptions or handleRejections exits once its lines are sent (finish emitted), and one it goes on after keeps the transport', async () => {
    // winston's handlers wait for each transport's 'finish' (up to their own 3 s) before exiting:
    // the transport emitted none, so every crash took those 3 s. The script prints, at 'finish',
    // what the session logger had sent by then; without it no such line is printed at all.
    const dir = mkdtempSync(join(work, 'winston-crash-'));
    writeFileSync(
      join(dir, 'main.ts'),
      `import winston from 'winston';
       import { writeSync } from 'node:fs';
       import { SessionTransport } from '${join(REPO, 'libs/client/src/winston.ts')}';
       const [server, id, how] = process.argv.slice(2);
       const transport = new SessionTransport({
         session: { server, appname: 'winston-crash', id },
         handleExceptions: true,
         handleRejections: true,
       });
       transport.on('finish', () => {
         const { sent, queued } = transport.logger.stats;
         writeSync(1, 'finished sent=' + sent + ' queued=' + queued + '\\n');
       });
       const logger = winston.createLogger({ transports: [transport], exitOnError: how !== 'goes on' });
       logger.info('before the crash');
       logger.warn('about to crash', { step: 2 });
       setTimeout(() => {
         if (how === 'rejection') void Promise.reject(new Error('rejected on purpose'));
         else throw new Error('thrown on purpose');
       }, 10);
       // With exitOnError false the process goes on, and so does its transport.
       if (how === 'goes on')
         setTimeout(async () => {
           logger.info('after the crash');
           await transport.logger.close(10_000);
         }, 500);`,
    );
    bundleForNode(join(dir, 'main.ts'), join(dir, 'main.js'), { nodePaths: [join(REPO, 'node_modules')] });
    for (const [how, text] of [
      ['exception', 'thrown on purpose'],
      ['rejection', 'rejected on purpose'],
    ]) {
      const id = newSessionId();
      const exited = await promisify(execFile)(process.execPath, [join(dir, 'main.js'), server.url, id, how], {
        timeout: 30_000,
      }).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
      expect([how, exited]).toEqual([how, { code: 1, stdout: 'finished sent=3 queued=0\n' }]);
      const got = await entries(id);
      expect([how, got.map(({ level, message }) => `${level} ${message.split('\n')[0]}`)]).toEqual([
        how,
        ['info before the crash', 'warn about to crash', expect.stringMatching(new RegExp(`^error .*${text}`))],
      ]);
      // As a crash leaves any session: not ended (close() was not called), left to its timeout.
      expect([how, (await client.sessions.get(id)).status]).toEqual([how, 'active']);
    }
    const id = newSessionId();
    const goesOn = await promisify(execFile)(process.execPath, [join(dir, 'main.js'), server.url, id, 'goes on'], {
      timeout: 30_000,
    });
    expect(goesOn.stdout).toBe('');
    expect((await entries(id)).map(({ level, message }) => `${level} ${message.split('\n')[0]}`)).toEqual([
      'info before the crash',
      'warn about to crash',
      expect.stringMatching(/^error .*thrown on purpose/),
      'info after the crash',
    ]);
    expect((await client.sessions.get(id)).status).toBe('ended');
  });

  it('winston and log(): data JSON cannot write as it is (a cycle, a BigInt) never throws, and is sent', async () => {
    const transport = new SessionTransport({ session: { server: server.url, appname: 'winston-odd-data' } });
    const log = winston.createLogger({ transports: [transport] });
    const req: Record<string, unknown> = { url: '/x' };
    req['self'] = req;
    expect(() => log.info('request', { req })).not.toThrow();
    expect(() => transport.logger.info('big', { n: 10n })).not.toThrow();
    expect(() => log.info({ message: { count: 2n } })).not.toThrow();
    await transport.logger.flush();
    expect(await entries(transport.logger.id)).toEqual([
      { level: 'info', message: 'request', data: { req: { url: '/x', self: '[Circular]' } } },
      { level: 'info', message: 'big', data: { n: '10' } },
      { level: 'info', message: '{"count":"2"}' },
    ]);
    await transport.logger.close();
  });

  it('winston and Nest: a record whose getter throws never throws at the caller, and is sent as data that cannot be written', async () => {
    const transport = new SessionTransport({ session: { server: server.url, appname: 'getters-that-throw' } });
    // A format that passes the record on as it is (winston's json() would read the getter itself).
    const log = winston.createLogger({ format: winston.format((info) => info)(), transports: [transport] });
    const throwing = (message?: string) => ({
      ...(message ? { message } : {}),
      get lazy(): unknown {
        throw new Error('not loaded');
      },
    });
    expect(() => log.info(throwing('winston record') as unknown as string)).not.toThrow();
    const nest = new SessionNestLogger({ session: transport.logger, console: false });
    expect(() => nest.log(throwing('nest record'), 'Billing')).not.toThrow();
    await transport.logger.close();
    expect(await entries(transport.logger.id)).toEqual([
      { level: 'info', message: 'winston record', data: { unserializable: 'not loaded' } },
      { level: 'info', message: '{"unserializable":"not loaded"}', data: { context: 'Billing' } },
    ]);
  });

  it('an Error in data (log(), winston s metadata, Nest s params) is sent as pino writes err, not as {}', async () => {
    const session = createSessionLogger({ server: server.url, appname: 'errors-in-data' });
    const failure = Object.assign(new TypeError('bad input'), { code: 'E_INPUT' });
    const wrapped = new Error('request failed', { cause: failure });
    session.error('direct', { err: failure });
    winston.createLogger({ transports: [new SessionTransport({ session })] }).error('winston', { error: wrapped });
    new SessionNestLogger({ session, console: false }).error('nest', failure);
    const cyclic = Object.assign(new Error('cyclic'), { self: undefined as unknown });
    cyclic.self = cyclic;
    session.info('cycle', { cyclic, n: 1n });
    await session.flush();
    const written = { type: 'TypeError', message: 'bad input', stack: failure.stack, code: 'E_INPUT' };
    expect(await entries(session.id)).toEqual([
      { level: 'error', message: 'direct', data: { err: written } },
      {
        level: 'error',
        message: 'winston',
        data: { error: { type: 'Error', message: 'request failed', stack: wrapped.stack, cause: written } },
      },
      { level: 'error', message: 'nest', data: { params: [written] } },
      {
        level: 'info',
        message: 'cycle',
        data: { cyclic: { type: 'Error', message: 'cyclic', stack: cyclic.stack, self: '[Circular]' }, n: '1' },
      },
    ]);
    await session.close();
  });

  it('pino, winston and Nest: a record whose fields are larger than the server takes keeps its message, its data cut', async () => {
    const session = createSessionLogger({ server: server.url, appname: 'large-records' });
    const body = 'b'.repeat(70_000);
    pino({}, createPinoDestination({ logger: session })).info({ body }, 'pino record');
    winston.createLogger({ transports: [new SessionTransport({ session })] }).warn('winston record', { body });
    new SessionNestLogger({ session, console: false }).error({ message: 'nest record', body }, 'Billing');
    await session.flush();
    const got = await entries(session.id);
    expect(got.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'info pino record',
      'warn winston record',
      'error nest record',
    ]);
    for (const { data } of got) {
      expect(data).toMatchObject({ truncated: true, json: expect.stringMatching(/^\{"(body|context)":/) });
      expect(Buffer.byteLength(JSON.stringify(data))).toBeLessThanOrEqual(65_536);
    }
    expect(session.stats).toMatchObject({ sent: 3, rejected: 0 });
    await session.close();
  });

  it('Nest: a LoggerService whose levels map as the contract s, context and structured fields in data', async () => {
    @Injectable()
    class Greeter implements OnModuleInit {
      private readonly logger = new Logger('Greeter');
      onModuleInit(): void {
        this.logger.log('hello');
        this.logger.warn('careful');
        this.logger.error('failed', 'Error: failed\n    at somewhere');
        this.logger.error('no stack'); // Nest passes (message, undefined, context)
        this.logger.error(new Error('boom'));
        this.logger.fatal('gone');
        this.logger.debug({ message: 'structured', user: 'ada' });
        this.logger.verbose('chatty');
      }
    }
    @Module({ providers: [Greeter] })
    class AppModule {}

    const session = createSessionLogger({ server: server.url, appname: 'nest-app' });
    const logger = new SessionNestLogger({ session, console: false });
    const app = await NestFactory.createApplicationContext(AppModule, { logger });
    await app.close();
    await session.flush();
    const got = (await entries(session.id)).filter((entry) => entry.data?.['context'] === 'Greeter');
    expect(got).toEqual([
      { level: 'info', message: 'hello', data: { context: 'Greeter' } },
      { level: 'warn', message: 'careful', data: { context: 'Greeter' } },
      { level: 'error', message: 'failed', data: { context: 'Greeter', stack: 'Error: failed\n    at somewhere' } },
      { level: 'error', message: 'no stack', data: { context: 'Greeter' } },
      { level: 'error', message: 'boom', data: { context: 'Greeter', stack: expect.stringMatching(/^Error: boom\n/) } },
      { level: 'error', message: 'gone', data: { context: 'Greeter' } },
      { level: 'debug', message: 'structured', data: { context: 'Greeter', user: 'ada' } },
      { level: 'debug', message: 'chatty', data: { context: 'Greeter' } },
    ]);
    // Nest's own start-up lines land there too.
    expect((await entries(session.id)).some((entry) => entry.data?.['context'] === 'NestFactory')).toBe(true);
    await session.close();
  });

  it('Nest: an Error logged as the message keeps its own fields and its cause in data, beside its stack', async () => {
    const session = createSessionLogger({ server: server.url, appname: 'nest-error-message' });
    const logger = new SessionNestLogger({ session, console: false });
    const cause = Object.assign(new TypeError('bad input'), { code: 'E_INPUT' });
    const failure = Object.assign(new Error('request failed', { cause }), { status: 502, code: 'E_UPSTREAM' });
    logger.error(failure);
    await session.flush();
    expect(await entries(session.id)).toEqual([
      {
        level: 'error',
        message: 'request failed',
        data: {
          stack: failure.stack,
          status: 502,
          code: 'E_UPSTREAM',
          cause: { type: 'TypeError', message: 'bad input', stack: cause.stack, code: 'E_INPUT' },
        },
      },
    ]);
    await session.close();
  });

  it('Nest: error(message, stack) with no context takes the stack as the stack, as Nest s ConsoleLogger does', async () => {
    @Module({})
    class EmptyModule {}

    const session = createSessionLogger({ server: server.url, appname: 'nest-stack-alone' });
    const logger = new SessionNestLogger({ session, console: false });
    const app = await NestFactory.createApplicationContext(EmptyModule, { logger });
    const failure = new Error('disk gone');
    await session.flush();
    const before = session.stats.sent; // Nest's start-up lines
    // A Logger without a context passes (message, stack) alone; so does a call on the logger itself.
    new Logger().error('from a Logger without a context', failure.stack);
    logger.error('on the logger itself', failure.stack);
    logger.fatal('fatal with a stack', failure.stack);
    logger.error('a context is still one', 'Billing');
    logger.error('a one-line string too', 'Error: not a stack');
    await app.close();
    await session.flush();
    expect((await entries(session.id)).slice(before)).toEqual([
      { level: 'error', message: 'from a Logger without a context', data: { stack: failure.stack } },
      { level: 'error', message: 'on the logger itself', data: { stack: failure.stack } },
      { level: 'error', message: 'fatal with a stack', data: { stack: failure.stack } },
      { level: 'error', message: 'a context is still one', data: { context: 'Billing' } },
      { level: 'error', message: 'a one-line string too', data: { context: 'Error: not a stack' } },
    ]);
    await session.close();
  });

  it('Nest: a function message is what it returns, computed once; a class its name; a Date or a Map as the console shows it', async () => {
    const session = createSessionLogger({ server: server.url, appname: 'nest-message-kinds' });
    const logger = new SessionNestLogger({ session, console: false });
    let computed = 0;
    logger.debug(() => `costly ${++computed}`);
    logger.log(class OrdersService {});
    logger.warn(() => {
      throw new Error('no figures');
    });
    const when = new Date('2026-12-06T10:00:00.000Z');
    logger.log(when);
    logger.log(new Map([['region', 'eu']]), 'Deploy');
    logger.log({ job: 7 });
    await session.close();
    expect(computed).toBe(1);
    expect(await entries(session.id)).toEqual([
      { level: 'debug', message: 'costly 1' },
      { level: 'info', message: 'OrdersService' },
      { level: 'warn', message: "(the message's function threw: no figures)" },
      { level: 'info', message: '2026-12-06T10:00:00.000Z' },
      { level: 'info', message: "Map(1) { 'region' => 'eu' }", data: { context: 'Deploy' } },
      { level: 'info', message: '{"job":7}', data: { job: 7 } },
    ]);
  });

  it('Nest: stopped by a signal with enableShutdownHooks useProcessExit, what its hooks log is sent at the exit', async () => {
    // Without useProcessExit Nest kills itself with the signal once its hooks have run: no exit,
    // and what is still queued is lost (README). With it, Nest exits, and the logger sends at exit.
    const dir = mkdtempSync(join(work, 'nest-signal-'));
    writeFileSync(
      join(dir, 'main.ts'),
      `import 'reflect-metadata';
       import { Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
       import { NestFactory } from '@nestjs/core';
       import { SessionNestLogger } from '${join(REPO, 'libs/client/src/nest.ts')}';
       const logger = new SessionNestLogger({ session: { server: process.argv[2], appname: 'nest-signal', id: process.argv[3] }, console: false });
       @Injectable()
       class Jobs implements OnApplicationShutdown {
         async onApplicationShutdown(signal?: string) {
           await new Promise((done) => setTimeout(done, 50));
           new Logger('Jobs').log('stopped on ' + signal);
         }
       }
       @Module({ providers: [Jobs] })
       class AppModule {}
       void (async () => {
         const app = await NestFactory.create(AppModule, { logger });
         app.enableShutdownHooks([], { useProcessExit: true });
         await app.listen(0, '127.0.0.1');
         new Logger('Main').log('listening');
         process.kill(process.pid, 'SIGTERM');
       })();`,
    );
    bundleForNode(join(dir, 'main.ts'), join(dir, 'main.js'), { external: ['@nestjs/*', 'reflect-metadata'] });
    const id = newSessionId();
    await promisify(execFile)(process.execPath, [join(dir, 'main.js'), server.url, id], {
      env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
      timeout: 30_000,
    });
    expect((await entries(id)).filter((entry) => ['Main', 'Jobs'].includes(String(entry.data?.['context'])))).toEqual([
      { level: 'info', message: 'listening', data: { context: 'Main' } },
      { level: 'info', message: 'stopped on SIGTERM', data: { context: 'Jobs' } },
    ]);
  });

  it('Nest: the session gets the levels the console shows, set by setLogLevels or the logLevels option', async () => {
    @Module({})
    class EmptyModule {}

    const session = createSessionLogger({ server: server.url, appname: 'nest-levels' });
    const logger = new SessionNestLogger({ session, console: false });
    const app = await NestFactory.createApplicationContext(EmptyModule, { logger });
    app.useLogger(logger);
    logger.setLogLevels(['error', 'warn']);
    const levels = new Logger('Levels');
    levels.verbose('verbose hidden');
    levels.debug('debug hidden');
    levels.log('log hidden');
    levels.warn('warn shown');
    levels.error('error shown');
    levels.fatal('fatal shown');
    const fromOptions = new SessionNestLogger({ session, console: false, logLevels: ['warn'] });
    fromOptions.log('log hidden', 'Options');
    fromOptions.warn('warn shown', 'Options');
    await app.close();
    await session.flush();
    const got = (await entries(session.id)).filter((entry) =>
      ['Levels', 'Options'].includes(String(entry.data?.['context'])),
    );
    expect(got.map(({ level, message, data }) => `${data?.['context']} ${level} ${message}`)).toEqual([
      'Levels warn warn shown',
      'Levels error error shown',
      'Levels error fatal shown',
      'Options warn warn shown',
    ]);
    await session.close();
  });

  it('Nest: the console prints with Nest s ConsoleLogger options (json, prefix, timestamp, colors, context), the session as before', async () => {
    // A Nest developer's `new ConsoleLogger({ json: true })` output is kept when the session logger
    // takes its place; the options' context is the session's too where a call names none.
    const dir = mkdtempSync(join(work, 'nest-console-'));
    writeFileSync(
      join(dir, 'main.ts'),
      `import 'reflect-metadata';
       import { Logger, Module } from '@nestjs/common';
       import { NestFactory } from '@nestjs/core';
       import { createSessionLogger } from '${join(REPO, 'libs/client/src/node.ts')}';
       import { SessionNestLogger } from '${join(REPO, 'libs/client/src/nest.ts')}';
       @Module({})
       class AppModule {}
       void (async () => {
         const session = createSessionLogger({ server: process.argv[2], appname: 'nest-console', id: process.argv[3] });
         const logger = new SessionNestLogger({ session, console: { json: true, context: 'Main' } });
         const app = await NestFactory.createApplicationContext(AppModule, { logger });
         new Logger('Billing').log('invoice sent');
         new Logger('Billing').error('card refused', 'Error: card refused\\n    at charge (billing.ts:1:1)');
         logger.warn('no context given');
         await app.close();
         const text = new SessionNestLogger({ session, console: { prefix: 'Shop', colors: false, timestamp: true } });
         text.log('first', 'Text');
         text.log('second', 'Text');
         await session.close();
       })();`,
    );
    bundleForNode(join(dir, 'main.ts'), join(dir, 'main.js'), { external: ['@nestjs/*', 'reflect-metadata'] });
    const id = newSessionId();
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(dir, 'main.js'), server.url, id], {
      env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
      timeout: 30_000,
    });
    const jsonLines = (out: string) =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const printed = [...jsonLines(stdout), ...jsonLines(stderr)].filter((line) =>
      ['Billing', 'Main'].includes(String(line['context'])),
    );
    // Nest prints errors to stderr: stdout's lines come first here.
    expect(printed.map(({ level, context, message, stack }) => ({ level, context, message, stack }))).toEqual([
      { level: 'log', context: 'Billing', message: 'invoice sent', stack: undefined },
      { level: 'warn', context: 'Main', message: 'no context given', stack: undefined },
      {
        level: 'error',
        context: 'Billing',
        message: 'card refused',
        stack: 'Error: card refused\n    at charge (billing.ts:1:1)',
      },
    ]);
    for (const line of printed) expect(line['pid']).toEqual(expect.any(Number));
    // The text logger: its prefix, no colour codes, and the time since the last line after the second.
    const textLines = stdout.split('\n').filter((line) => line.includes('[Text]'));
    expect(textLines).toHaveLength(2);
    expect(textLines[0]).toMatch(/^\[Shop\] \d+ {2}- .* LOG \[Text\] first$/);
    expect(textLines[1]).toMatch(/^\[Shop\] \d+ {2}- .* LOG \[Text\] second \+\d+ms$/);
    expect((await entries(id)).filter((entry) => entry.data?.['context'] !== undefined)).toEqual(
      expect.arrayContaining([
        { level: 'info', message: 'invoice sent', data: { context: 'Billing' } },
        {
          level: 'error',
          message: 'card refused',
          data: { context: 'Billing', stack: 'Error: card refused\n    at charge (billing.ts:1:1)' },
        },
        { level: 'warn', message: 'no context given', data: { context: 'Main' } },
        { level: 'info', message: 'first', data: { context: 'Text' } },
        { level: 'info', message: 'second', data: { context: 'Text' } },
      ]),
    );
  });
});

describe('entry points', () => {
  it('keeps ws, pino, winston and Nest out of the core a browser bundles', () => {
    const result = buildSync({
      entryPoints: [join(REPO, 'libs/client/src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      tsconfig: join(REPO, 'tsconfig.base.json'),
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.includes('node_modules'))).toEqual([]);
    expect(inputs.every((input) => input.startsWith('libs/'))).toBe(true);
  });
});
