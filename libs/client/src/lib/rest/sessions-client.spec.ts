import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, Socket } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import type { LogEntryInput } from '@zen/contract';
import { HealthCheckSchema } from '@zen/contract/schemas';
import { ApiError, NetworkError, UnexpectedResponseError } from '../errors';
import { newSessionId } from '../ids';
import { BuiltServer, eventually, freePort, RedisServer } from '@zen/testing';
import { nodeFetch } from './node-fetch';
import { DEFAULT_TIMEOUT_MS, retryAfterMs } from './http';
import { SessionsClient } from './sessions-client';
import { LiveClient } from '../live/live-client';
import { nodeWebSocketFactory } from '../live/node-websocket';
import { createSessionLogger } from '../logger/session-logger';

describe('SessionsClient against the built server', () => {
  let server: BuiltServer;
  let client: SessionsClient;

  beforeAll(async () => {
    server = await BuiltServer.start({ LOG_CAPACITY: '5' });
    client = new SessionsClient({ server: server.url + '/' });
  });
  afterAll(() => server.stop());

  it('creates, reads, updates, heartbeats, replaces, lists and ends sessions', async () => {
    const id = newSessionId();
    const created = await client.sessions.upsert(id, { appname: 'tool', metadata: { a: 1 } });
    expect(created).toMatchObject({ id, appname: 'tool', mode: '', status: 'active', metadata: { a: 1 } });

    const merged = await client.sessions.upsert(id, { metadata: { b: 2 } });
    expect(merged.metadata).toEqual({ a: 1, b: 2 });
    const beat = await client.sessions.heartbeat(id);
    expect(beat.updated >= merged.updated).toBe(true);
    const replaced = await client.sessions.replace(id, { metadata: { c: 3 }, jobid: 'j1' });
    expect(replaced).toMatchObject({ metadata: { c: 3 }, jobid: 'j1' });
    expect(await client.sessions.get(id.toUpperCase())).toMatchObject({ id, jobid: 'j1' });

    const generated = await client.sessions.create({ appname: 'other' });
    expect(generated.id).toMatch(/^[0-9a-f]{24}$/);
    const active = await client.sessions.list();
    expect(active.sessions.map((session) => session.id)).toEqual(expect.arrayContaining([id, generated.id]));
    expect(active.serverSessionId).toMatch(/^[0-9a-f]{24}$/);

    const ended = await client.sessions.end(id);
    expect(ended).toMatchObject({ status: 'ended', endReason: 'deleted' });
    expect((await client.sessions.list('ended')).sessions.map((session) => session.id)).toContain(id);
    expect((await client.sessions.list('all')).sessions.length).toBeGreaterThanOrEqual(3);
  });

  it('appends JSON and text, reads in cursor and offset modes, with filters and downloads', async () => {
    const id = newSessionId();
    await client.sessions.upsert(id, { appname: 'tool' });
    expect(await client.logs.append(id, { message: 'one', level: 'warn', data: { k: 'v' } })).toEqual({
      appended: 1,
      cursor: 1,
    });
    expect(await client.logs.append(id, [{ message: 'two' }, { message: 'three', level: 'error' }])).toEqual({
      appended: 2,
      cursor: 3,
    });
    expect(await client.logs.appendText(id, 'four\n\nfive\n')).toEqual({ appended: 2, cursor: 5 });

    const page = await client.logs.read(id, { cursor: 1 });
    expect(page.entries.map((entry) => entry.message)).toEqual(['two', 'three', 'four', 'five']);
    expect(page.cursor).toBe(5);
    expect((await client.logs.read(id, { cursor: 0, level: 'warn' })).entries.map((e) => e.message)).toEqual([
      'one',
      'three',
    ]);
    expect((await client.logs.read(id, { q: 'FIV' })).entries.map((e) => e.message)).toEqual(['five']);

    const offset = await client.logs.page(id, { offset: 1, limit: 2 });
    expect(offset).toMatchObject({ total: 5, offset: 1, limit: 2, cursor: 5 });
    expect(offset.entries.map((e) => e.seq)).toEqual([1, 2]);

    const text = await client.logs.download(id, 'text', { cursor: 3 });
    expect(text.body).toMatch(/^\S+Z INFO four\n\S+Z INFO five\n$/);
    expect(text.cursor).toBe(5);
    const ndjson = await client.logs.download(id, 'ndjson', { cursor: 4 });
    expect(JSON.parse(ndjson.body.trim())).toMatchObject({ seq: 4, message: 'five' });
    const unread = await client.logs.downloadResponse(id, 'text', { cursor: 3 });
    expect(unread.headers.get('x-log-cursor')).toBe('5');
    expect(await (await unread.blob()).text()).toBe(text.body);

    // Capacity 5: two more appends evict two; reading from 0 reports them dropped.
    await client.logs.append(id, [{ message: 'six' }, { message: 'seven' }]);
    const all = await client.logs.readAll(id, { limit: 2 });
    expect(all.entries.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(all.dropped).toBe(2);
    expect(all.cursor).toBe(7);
  });

  it('readAll reads every held entry from a server with a small MAX_READ_LIMIT, in order', async () => {
    const small = await BuiltServer.start({ MAX_READ_LIMIT: '50', LOG_CAPACITY: '200' });
    try {
      const smallClient = new SessionsClient({ server: small.url });
      const { id } = await smallClient.sessions.create({ appname: 'tool' });
      const entries = Array.from(
        { length: 130 },
        (_, i): LogEntryInput => ({
          message: `entry ${i}`,
          level: i % 3 ? 'info' : 'warn',
        }),
      );
      await smallClient.logs.append(id, entries);
      // The server refuses a limit above its own maximum: readAll must not send one.
      await expect(smallClient.logs.read(id, { limit: 51 })).rejects.toMatchObject({ status: 400 });

      const all = await smallClient.logs.readAll(id);
      expect(all.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 130 }, (_, i) => i));
      expect(all).toMatchObject({ cursor: 130, dropped: 0 });
      const fromCursor = await smallClient.logs.readAll(id, { cursor: 70, level: 'warn' });
      expect(fromCursor.entries.map((entry) => entry.message)).toEqual(
        Array.from({ length: 130 }, (_, i) => i)
          .filter((i) => i >= 70 && i % 3 === 0)
          .map((i) => `entry ${i}`),
      );
      expect(fromCursor.cursor).toBe(130);
      // A limit the caller chooses within the server's maximum still pages.
      const paged = await smallClient.logs.readAll(id, { cursor: 5, limit: 50 });
      expect(paged.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 125 }, (_, i) => i + 5));
      expect(paged.cursor).toBe(130);
    } finally {
      await small.stop();
    }
  });

  it('appendMessage splits a message longer than the server takes: at the default limit, at a smaller one it names, at half a 413', async () => {
    const { id } = await client.sessions.create({ appname: 'long' });
    const long = 'z'.repeat(70_000);
    await client.logs.appendMessage(id, { level: 'warn', message: long, data: { part: 'of one' } });
    const { entries } = await client.logs.read(id);
    expect(entries.map(({ level, message, data }) => [level, message.length, data])).toEqual([
      ['warn', 65_536, { part: 'of one' }],
      ['warn', 70_000 - 65_536, { part: 'of one' }],
    ]);
    expect(entries.map((entry) => entry.message).join('')).toBe(long);

    // A body limit below the message limit (a 413, halved until it fits), then a message limit (the 400 names it).
    const small = await BuiltServer.start({ MAX_MESSAGE_BYTES: '1000', MAX_BODY_BYTES: '20000' });
    try {
      const smallClient = new SessionsClient({ server: small.url });
      const { id: smallId } = await smallClient.sessions.create({ appname: 'small-limits' });
      const message = 'é'.repeat(25_000); // 50,000 bytes, never split inside a character
      const appended = await smallClient.logs.appendMessage(smallId, { message });
      expect(appended.cursor).toBe(50);
      const pieces = (await smallClient.logs.readAll(smallId)).entries.map((entry) => entry.message);
      expect(pieces.map((piece) => Buffer.byteLength(piece))).toEqual(Array(50).fill(1_000));
      expect(pieces.join('')).toBe(message);
    } finally {
      await small.stop();
    }
  });

  it('throws ApiError with the status and the server message', async () => {
    const missing = newSessionId();
    const error = await client.sessions.get(missing).catch((caught) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(404);
    expect(error.message).toContain(missing);
    expect(error.retryable).toBe(false);

    const bad = await client.sessions.get('nope').catch((caught) => caught);
    expect(bad).toMatchObject({ status: 400 });
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });

    const serverId = (await client.sessions.list()).serverSessionId;
    await expect(client.logs.append(serverId, { message: 'x' })).rejects.toMatchObject({ status: 403 });
    const noAppname = await client.sessions.upsert(newSessionId(), {}).catch((caught) => caught);
    expect(noAppname.status).toBe(400);
    expect(noAppname.message).toMatch(/appname/);
  });

  it('throws UnexpectedResponseError naming the URL, status and content type when a success is not JSON', async () => {
    // A server URL with the dashboard's path: the built server answers it with an HTML page.
    const wrong = `${server.url}/dashboard`;
    for (const fetch of [undefined, nodeFetch]) {
      const error = await new SessionsClient({ server: wrong, fetch }).sessions.list('all').catch((caught) => caught);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        name: 'UnexpectedResponseError',
        status: 200,
        method: 'GET',
        url: `${wrong}/sessions/?status=all`,
        contentType: 'text/html; charset=utf-8',
      });
      expect(error.message).toBe(
        `GET ${wrong}/sessions/?status=all answered 200 with text/html; charset=utf-8, not JSON: ${wrong} may not be the sessions server, or not with its BASE_PATH`,
      );
      expect(error.retryable).toBe(false);

      // A download takes no page for log text either: the answer has no cursor header.
      const id = newSessionId();
      const download = await new SessionsClient({ server: wrong, fetch }).logs
        .download(id, 'text')
        .catch((caught) => caught);
      expect(download).toBeInstanceOf(UnexpectedResponseError);
      expect(download.message).toBe(
        `GET ${wrong}/sessions/${id}/log?format=text answered 200 with text/html; charset=utf-8, not a log download (no X-Log-Cursor header): ${wrong} may not be the sessions server, or not with its BASE_PATH`,
      );
    }

    // A proxy's login page: any path, any method, 200, here without a content type.
    const login = createHttpServer((request, response) => {
      request.resume();
      response.writeHead(200).end('<!doctype html><title>Sign in</title>');
    });
    await new Promise<void>((listening) => login.listen(0, '127.0.0.1', listening));
    const proxied = `http://127.0.0.1:${(login.address() as { port: number }).port}/zen`;
    try {
      const id = newSessionId();
      const error = await new SessionsClient({ server: proxied, fetch: nodeFetch }).sessions
        .upsert(id, { appname: 'tool' })
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.message).toBe(
        `POST ${proxied}/sessions/${id} answered 200 with no content type, not JSON: ${proxied} may not be the sessions server, or not with its BASE_PATH`,
      );
    } finally {
      await new Promise((closed) => login.close(closed));
    }
  });

  it('refuses at once a server that is not an http(s) URL (a missing scheme, unset), rather than retrying it', () => {
    const spaced = ['http://host:8558 ', ' http://host:8558', 'http://host:8558\t'];
    for (const bad of [
      'localhost:8558',
      '127.0.0.1:8558',
      'ftp://host',
      '',
      'http://host/zen?x=1',
      undefined,
      ...spaced,
    ]) {
      expect(() => new SessionsClient({ server: bad as string })).toThrow(
        `the server must be an http:// or https:// URL (base path included) with no query or fragment, not ${JSON.stringify(bad)}`,
      );
    }
    expect(new SessionsClient({ server: 'https://host/zen/' }).http.server).toBe('https://host/zen');
    expect(() => createSessionLogger({ server: 'localhost:8558', appname: 'typo' })).toThrow(/not "localhost:8558"/);
    expect(() => new LiveClient({ server: 'localhost:8558', lazy: true, webSocket: nodeWebSocketFactory })).toThrow(
      /not "localhost:8558"/,
    );
  });

  it('takes a server relative to the page, as a script in a browser may give it', () => {
    // Found by a review: reading a user and password from the server URL threw on a relative one.
    const page = globalThis as { location?: { href: string } };
    page.location = { href: 'http://127.0.0.1:8558/dashboard/' };
    try {
      const relative = new SessionsClient({ server: '/zen/' });
      expect(relative.http.prepare({ method: 'GET', path: '/sessions/' })).toMatchObject({ url: '/zen/sessions/' });
    } finally {
      delete page.location;
    }
  });

  it('throws NetworkError when nothing listens', async () => {
    const port = await freePort();
    const offline = new SessionsClient({ server: `http://127.0.0.1:${port}` });
    const error = await offline.sessions.list().catch((caught) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.retryable).toBe(true);
  });

  it('gives up on a server that accepts connections but never answers: a NetworkError after the timeout', async () => {
    // What a stopped (SIGSTOP) or wedged server looks like: the kernel accepts, nothing answers.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const { port } = silent.address() as { port: number };
    try {
      for (const fetch of [undefined, nodeFetch]) {
        const stuck = new SessionsClient({ server: `http://127.0.0.1:${port}`, timeoutMs: 300, fetch });
        const started = Date.now();
        const error = await stuck.sessions.list().catch((caught) => caught);
        expect(error).toBeInstanceOf(NetworkError);
        expect(error.message).toMatch(/no answer within 300 ms/);
        expect(error.retryable).toBe(true);
        expect(Date.now() - started).toBeLessThan(20_000);
      }
      expect(new SessionsClient({ server: 'http://x' }).http.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
      // The caller's own signal still aborts with its reason, not as a timeout.
      const controller = new AbortController();
      const stuck = new SessionsClient({ server: `http://127.0.0.1:${port}`, timeoutMs: 60_000, fetch: nodeFetch });
      const pending = stuck.http.send({ method: 'GET', path: '/sessions/', signal: controller.signal });
      controller.abort(new Error('stopped by the caller'));
      await expect(pending).rejects.toThrow('stopped by the caller');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
  });

  it('reads liveness, and readiness: a 503 as not ready with the server s message, other failures thrown', async () => {
    const live = await client.health.live();
    expect(Value.Check(HealthCheckSchema, live)).toBe(true);
    expect(live).toMatchObject({ status: 'ok', details: { process: { status: 'up' } } });
    const ready = await client.health.ready();
    expect(ready.ready && Value.Check(HealthCheckSchema, ready.check)).toBe(true);
    expect(ready).toEqual({
      ready: true,
      check: expect.objectContaining({
        status: 'ok',
        details: { store: { status: 'up' }, sessions: { status: 'up' }, lifecycle: { status: 'up' } },
      }),
    });

    const redis = await RedisServer.start();
    const shared = await BuiltServer.start({ LOG_STORE: 'redis', REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '500' });
    try {
      const probe = new SessionsClient({ server: shared.url });
      expect(await probe.health.ready()).toMatchObject({ ready: true });
      await redis.stop();
      // The first failing check may be a command caught as the connection drops ('is unavailable:
      // …'); the state the test is about is the one that follows, the store known to be unreachable.
      await eventually(
        async () =>
          expect(await probe.health.ready()).toEqual({
            ready: false,
            message: expect.stringMatching(/^not ready: store: the session store \(Redis at [^)]+\) cannot be reached/),
          }),
        30_000,
        'not ready',
      );
      await expect(probe.health.live()).resolves.toMatchObject({ status: 'ok' });
      await redis.restart();
      await eventually(async () => (await probe.health.ready()).ready, 30_000, 'ready again');
    } finally {
      await shared.stop();
      await redis.close();
    }

    const elsewhere = new SessionsClient({ server: `${server.url}/elsewhere` });
    await expect(elsewhere.health.ready()).rejects.toMatchObject({ name: 'ApiError', status: 404 });
    await expect(elsewhere.health.live()).rejects.toMatchObject({ name: 'ApiError', status: 404 });
    const offline = new SessionsClient({ server: `http://127.0.0.1:${await freePort()}` });
    await expect(offline.health.ready()).rejects.toBeInstanceOf(NetworkError);
  });

  it('reaches a server given with a user and password (a proxy s Basic auth) with the platform s fetch, never showing the password', async () => {
    // A proxy in front of the server that notes the Authorization header of every request it passes on.
    const seen: (string | undefined)[] = [];
    const target = new URL(server.url);
    const proxy = createHttpServer((req, res) => {
      seen.push(req.headers.authorization);
      const forwarded = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forwarded);
    });
    const port = await freePort();
    await new Promise<void>((listening) => proxy.listen(port, '127.0.0.1', listening));
    try {
      for (const fetch of [undefined, nodeFetch]) {
        seen.length = 0;
        const behind = new SessionsClient({ server: `http://ci:s3cr%40t@127.0.0.1:${port}/`, fetch });
        const { id } = await behind.sessions.create({ appname: 'behind-a-proxy' });
        await behind.logs.append(id, { message: 'through Basic auth' });
        expect((await behind.logs.read(id)).entries.map((entry) => entry.message)).toEqual(['through Basic auth']);
        expect(new Set(seen)).toEqual(new Set([`Basic ${Buffer.from('ci:s3cr@t').toString('base64')}`]));
      }
    } finally {
      await new Promise((closed) => proxy.close(closed));
    }
    const away = new SessionsClient({ server: `http://ci:s3cret@127.0.0.1:${await freePort()}` });
    const error = await away.sessions.list().catch((caught) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/^cannot reach http:\/\/ci:\*\*\*@127\.0\.0\.1:\d+\/sessions\/.*ECONNREFUSED/);
    expect(error.message).not.toMatch(/s3cret/);
  });

  it('sends the token as a bearer header', async () => {
    const guarded = await BuiltServer.start({ AUTH_TOKEN: 'secret-token-1' });
    try {
      const anonymous = new SessionsClient({ server: guarded.url });
      await expect(anonymous.sessions.create({ appname: 'a' })).rejects.toMatchObject({ status: 401 });
      const withToken = new SessionsClient({ server: guarded.url, token: 'secret-token-1' });
      await expect(withToken.sessions.create({ appname: 'a' })).resolves.toMatchObject({ appname: 'a' });
    } finally {
      await guarded.stop();
    }
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});
