import { ErrorResponse, Session, SessionList } from '@zen/contract';
import { JSON_HEADERS, rawRequest } from '@zen/testing';
import { ServerLogger } from '../server-log/server-logger';
import { RunningApp, startApp } from '../testing/running-app';

const A = 'aaaaaaaaaaaaaaaaaaaaaa01';
const B = 'aaaaaaaaaaaaaaaaaaaaaa02';
const UNKNOWN = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('sessions API (real HTTP server)', () => {
  let server: RunningApp;
  let url: string;

  const post = (id: string, body?: unknown, headers: Record<string, string> = JSON_HEADERS) =>
    fetch(`${url}/sessions/${id}`, {
      method: 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const put = (id: string, body: unknown) =>
    fetch(`${url}/sessions/${id}`, { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify(body) });
  const get = async (id: string) => (await fetch(`${url}/sessions/${id}`)).json() as Promise<Session>;
  const list = async (query = '') => (await fetch(`${url}/sessions/${query}`)).json() as Promise<SessionList>;
  /** Creates a session of the test's own, an 'Agent' with the given fields, so that it runs alone too. */
  const agent = async (id: string, fields: object = {}) =>
    expect((await post(id, { appname: 'Agent', ...fields })).status).toBe(201);
  const expectError = async (res: Response, status: number, message: string | RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as ErrorResponse;
    expect(body.statusCode).toBe(status);
    expect(typeof body.error).toBe('string');
    expect(JSON.stringify(body.message)).toMatch(message);
  };

  beforeAll(async () => {
    server = await startApp({ SESSIONS_RETAIN_ENDED: '2', MAX_BODY_BYTES: '4096' });
    url = server.url;
  });
  afterAll(() => server.close());

  describe('POST /sessions/{id}', () => {
    it('creates a session (201) with defaults', async () => {
      const res = await post(A, { appname: 'UnrealEditor' });
      expect(res.status).toBe(201);
      const session = (await res.json()) as Session;
      expect(session).toMatchObject({
        id: A,
        appname: 'UnrealEditor',
        mode: '',
        jobid: null,
        metadata: {},
        status: 'active',
        ended: null,
        endReason: null,
        logCount: 0,
        logCursor: 0,
        warnCount: 0,
        errorCount: 0,
      });
      expect(session.created).toMatch(ISO_MS);
      expect(session.updated).toBe(session.created);
      expect(res.headers.get('location')).toBe(`/sessions/${A}`);
    });

    it('normalises an upper-case id', async () => {
      const res = await post(B.toUpperCase(), {
        appname: 'Agent',
        mode: 'cook',
        jobid: 'j1',
        metadata: { a: 1, b: { c: [true] } },
      });
      expect(res.status).toBe(201);
      expect((await res.json()).id).toBe(B);
      expect(res.headers.get('location')).toBe(`/sessions/${B}`);
      expect((await get(B.toUpperCase())).metadata).toEqual({ a: 1, b: { c: [true] } });
    });

    it('updates an active session (200): fields replaced, metadata merged, updated moved', async () => {
      const id = 'aaaaaaaaaaaaaaaaaaaaaa03';
      await agent(id, { mode: 'cook', jobid: 'j1', metadata: { a: 1, b: { c: [true] } } });
      const before = await get(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const res = await post(id, { mode: 'editor', metadata: { b: 2, d: 'x' } });
      expect(res.status).toBe(200);
      const after = (await res.json()) as Session;
      expect(after).toMatchObject({ appname: 'Agent', mode: 'editor', jobid: 'j1', metadata: { a: 1, b: 2, d: 'x' } });
      expect(Date.parse(after.updated)).toBeGreaterThan(Date.parse(before.updated));
      expect(after.created).toBe(before.created);
    });

    it('treats an empty body (or {}) as a heartbeat, and null as absent (jobid: null clears it)', async () => {
      const id = 'aaaaaaaaaaaaaaaaaaaaaa04';
      await agent(id, { mode: 'editor', jobid: 'j1', metadata: { a: 1, b: 2, d: 'x' } });
      const before = await get(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await post(id, undefined, {})).status).toBe(200);
      expect((await post(id, {})).status).toBe(200);
      const beat = await get(id);
      expect(Date.parse(beat.updated)).toBeGreaterThan(Date.parse(before.updated));
      expect({ ...beat, updated: before.updated }).toEqual(before);
      const cleared = (await (await post(id, { mode: null, metadata: null, jobid: null })).json()) as Session;
      expect(cleared).toMatchObject({ mode: 'editor', jobid: null, metadata: { a: 1, b: 2, d: 'x' } });
    });

    it('treats appname: null on an update as absent (appname is required only to create)', async () => {
      const id = 'aaaaaaaaaaaaaaaaaaaaaa05';
      await agent(id, { mode: 'editor' });
      const before = await get(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const beat = await post(id, { appname: null });
      expect(beat.status).toBe(200);
      const after = (await beat.json()) as Session;
      expect(Date.parse(after.updated)).toBeGreaterThan(Date.parse(before.updated));
      expect({ ...after, updated: before.updated }).toEqual(before);
      const changed = await post(id, { appname: null, jobid: 'j1' });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toMatchObject({ appname: 'Agent', jobid: 'j1' });
    });

    it.each([
      [{}, 'appname is required'],
      [{ appname: null }, 'appname must be a string'],
      [{ appname: '' }, 'appname must be 1–256 characters long (MAX_APPNAME_CHARS)'],
      [{ appname: 'x'.repeat(257) }, 'appname must be 1–256 characters long (MAX_APPNAME_CHARS)'],
      [{ appname: 5 }, 'appname must be a string'],
      [{ appname: 'a', mode: 'm'.repeat(257) }, 'mode must be at most 256 characters long (MAX_MODE_CHARS)'],
      [{ appname: 'a', jobid: 'j'.repeat(257) }, 'jobid must be at most 256 characters long (MAX_JOBID_CHARS)'],
      [{ appname: 'a', jobid: 7 }, 'jobid must be a string'],
      [{ appname: 'a', metadata: [] }, 'metadata must be an object'],
      [{ appname: 'a', metadata: 'x' }, 'metadata must be an object'],
      [{ appname: 'a', metadata: { '': 1 } }, 'metadata keys must be 1–128 characters long'],
      [{ appname: 'a', metadata: { ['k'.repeat(129)]: 1 } }, 'metadata keys must be 1–128 characters long'],
      [
        { appname: 'a', metadata: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, i])) },
        'metadata has 257 keys',
      ],
    ])('rejects %j with 400 naming the problem, creating nothing', async (body, message) => {
      await expectError(await post(UNKNOWN, body), 400, message);
      expect((await fetch(`${url}/sessions/${UNKNOWN}`)).status).toBe(404);
    });

    it('counts characters in UTF-16 code units', async () => {
      // 128 emoji are 256 code units: allowed; 129 are 258: not.
      expect((await post('cccccccccccccccccccccc01', { appname: '🎮'.repeat(128) })).status).toBe(201);
      await expectError(await post('cccccccccccccccccccccc02', { appname: '🎮'.repeat(129) }), 400, 'appname');
    });

    it('stores a lone surrogate in appname, mode or jobid as U+FFFD, answering what a read gives later', async () => {
      // "\ud800" is valid JSON but no UTF-8 text: the Redis store kept U+FFFD while the
      // create answered the surrogate, and the memory store kept it; now every store agrees.
      const id = 'cccccccccccccccccccccc06';
      const created = await rawRequest(`${url}/sessions/${id}`, 'POST', JSON_HEADERS, '{"appname":"a\\ud800b"}');
      expect(created.status).toBe(201);
      expect(created.json<Session>().appname).toBe('a\ufffdb');
      const updated = await put(id, { mode: 'm\udc00', jobid: 'j\ud83d' });
      expect(await updated.json()).toMatchObject({ mode: 'm\ufffd', jobid: 'j\ufffd' });
      expect(await get(id)).toMatchObject({ appname: 'a\ufffdb', mode: 'm\ufffd', jobid: 'j\ufffd' });
      expect((await list()).sessions.find((s) => s.id === id)).toMatchObject({ appname: 'a\ufffdb' });
    });

    it('keeps __proto__ and constructor metadata keys as plain data', async () => {
      const body =
        '{"appname":"p","metadata":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}';
      const created = await rawRequest(`${url}/sessions/cccccccccccccccccccccc04`, 'POST', JSON_HEADERS, body);
      expect(created.status).toBe(201);
      expect(created.json<Session>().metadata).toEqual(JSON.parse(body).metadata);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      const merged = await rawRequest(
        `${url}/sessions/cccccccccccccccccccccc04`,
        'POST',
        JSON_HEADERS,
        '{"metadata":{"__proto__":{"x":1}}}',
      );
      expect(merged.json<Session>().metadata['__proto__']).toEqual({ x: 1 });
    });

    it('refuses metadata holding a number no JSON reader keeps (1e400), creating or changing nothing', async () => {
      const id = 'cccccccccccccccccccccc1f';
      const raw = (method: string, body: string) => rawRequest(`${url}/sessions/${id}`, method, JSON_HEADERS, body);
      // JSON.parse reads 1e400 as Infinity, which would be stored (and read back) as null.
      const refused = await raw('POST', '{"appname":"n","metadata":{"big":1e400}}');
      expect(refused.status).toBe(400);
      expect(refused.json<ErrorResponse>().message).toContain('metadata.big is a number out of range');
      expect((await fetch(`${url}/sessions/${id}`)).status).toBe(404);
      expect((await raw('POST', '{"appname":"n","metadata":{"kept":1}}')).status).toBe(201);
      const merged = await raw('POST', '{"metadata":{"list":[1,-1e400]}}');
      expect(merged.status).toBe(400);
      expect(merged.json<ErrorResponse>().message).toContain('metadata.list[1] is a number out of range');
      expect((await raw('PUT', '{"metadata":{"x":{"y":1e999}}}')).status).toBe(400);
      expect((await get(id)).metadata).toEqual({ kept: 1 });
    });

    it('rejects merged metadata beyond the limits, changing nothing', async () => {
      const id = 'cccccccccccccccccccccc05';
      const half = (prefix: string) => Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${prefix}${i}`, i]));
      await post(id, { appname: 'm', metadata: half('a') });
      await expectError(await post(id, { metadata: half('b') }), 400, 'after merging');
      expect((await get(id)).metadata).toEqual(half('a'));
    });

    it('names the setting of each metadata limit, and the start of a key past its length, creating nothing', async () => {
      const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
      const cases: [object, string][] = [
        [many, 'metadata has 300 keys; at most 256 are allowed (MAX_METADATA_KEYS)'],
        [
          { short: 1, [`build.${'k'.repeat(200)}`]: 1 },
          `metadata keys must be 1–128 characters long (MAX_METADATA_KEY_CHARS); got 206: "build.${'k'.repeat(26)}"…`,
        ],
        [{ '': 1 }, 'metadata keys must be 1–128 characters long (MAX_METADATA_KEY_CHARS); got 0: ""'],
      ];
      for (const [metadata, message] of cases) {
        const res = await post(UNKNOWN, { appname: 'a', metadata });
        expect([res.status, ((await res.json()) as ErrorResponse).message]).toEqual([400, message]);
      }
      expect((await fetch(`${url}/sessions/${UNKNOWN}`)).status).toBe(404);
      const id = 'cccccccccccccccccccccc07';
      await post(id, { appname: 'm', metadata: { a: 1, b: 2 } });
      const before = await get(id);
      const merged = await post(id, {
        metadata: Object.fromEntries(Array.from({ length: 255 }, (_, i) => [`n${i}`, i])),
      });
      expect([merged.status, ((await merged.json()) as ErrorResponse).message]).toEqual([
        400,
        'metadata has 257 keys after merging with the stored metadata; at most 256 are allowed (MAX_METADATA_KEYS)',
      ]);
      expect(await get(id)).toEqual(before);
    });
  });

  describe('errors of the body, in the contract order', () => {
    it('answers a bad id before looking at the body', async () => {
      const res = await rawRequest(
        `${url}/sessions/xyz`,
        'POST',
        { 'content-type': 'text/plain', 'content-length': 999_999 },
        'x',
      );
      expect(res.status).toBe(400);
      expect(res.json<ErrorResponse>().message).toContain('invalid session id');
    });

    it('answers 413 for a body over MAX_BODY_BYTES, before the content type', async () => {
      const res = await fetch(`${url}/sessions/${UNKNOWN}`, {
        method: 'POST',
        headers: { 'content-type': 'text/html' },
        body: 'x'.repeat(5000),
      });
      await expectError(res, 413, 'larger than 4096 bytes');
    });

    it('answers 413 for a chunked body (no Content-Length) that grows past MAX_BODY_BYTES', async () => {
      const res = await rawRequest(
        `${url}/sessions/${UNKNOWN}`,
        'POST',
        { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        `{"appname":"${'x'.repeat(5000)}"}`,
      );
      expect(res.status).toBe(413);
      expect(res.json<ErrorResponse>().message).toContain('larger than 4096 bytes (MAX_BODY_BYTES)');
      expect((await fetch(`${url}/sessions/${UNKNOWN}`)).status).toBe(404);
    });

    it.each([
      ['text/plain', 'Content-Type text/plain is not supported'],
      ['application/json; charset=latin1', 'charset latin1 is not supported'],
      ['not a type', 'is not valid'],
    ])('answers 415 for Content-Type %s', async (type, message) => {
      await expectError(await post(A, { appname: 'x' }, { 'content-type': type }), 415, message);
    });

    it.each([
      'application/json;charset=UTF-8',
      'application/json; charset="utf-8"',
      'application/json;\tcharset=utf-8',
      'application/json\t;\t charset=utf-8 ',
      'Application/JSON;;',
    ])(
      'accepts Content-Type %j (RFC 9110: case, quotes, spaces or tabs around ";", empty parameters)',
      async (type) => {
        // Past the body's checks (a 415 would come first) to the fields', creating nothing.
        await expectError(await post(UNKNOWN, {}, { 'content-type': type }), 400, 'appname is required');
      },
    );

    it('answers 415 for a non-empty body without a Content-Type', async () => {
      const res = await rawRequest(`${url}/sessions/${A}`, 'POST', { 'content-length': 2 }, '{}');
      expect(res.status).toBe(415);
    });

    it('answers 400 for malformed JSON, and for a body that is not valid UTF-8', async () => {
      await expectError(
        await fetch(`${url}/sessions/${A}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":' }),
        400,
        'malformed JSON',
      );
      const res = await rawRequest(`${url}/sessions/${A}`, 'POST', JSON_HEADERS, Buffer.from([0x7b, 0xff, 0x7d]));
      expect(res.status).toBe(400);
      expect(res.json<ErrorResponse>().message).toContain('UTF-8');
    });

    it('answers the body problem before the session state, and the state before the fields', async () => {
      const ended = 'dddddddddddddddddddddd01';
      await post(ended, { appname: 'e' });
      await fetch(`${url}/sessions/${ended}`, { method: 'DELETE' });
      await expectError(
        await fetch(`${url}/sessions/${ended}`, { method: 'POST', headers: JSON_HEADERS, body: '{' }),
        400,
        'malformed',
      );
      await expectError(await post(ended, { appname: '' }), 409, 'has ended');
      await expectError(await post(ended, { appname: null }), 409, 'has ended');
      await expectError(await put(ended, { appname: null }), 409, 'has ended');
      await expectError(await put(UNKNOWN, { appname: '' }), 404, 'not found');
      await expectError(await put(UNKNOWN, { appname: null }), 404, 'not found');
      // Well-formed JSON that is not an object is a fault of the fields, after the state.
      for (const body of [[], null, 'x']) {
        await expectError(await post(ended, body), 409, 'has ended');
        await expectError(await put(UNKNOWN, body), 404, 'not found');
        await expectError(await post(A, body), 400, 'request body must be a JSON object');
      }
    });
  });

  describe('DELETE /sessions/{id} with a body', () => {
    it('answers the body checks as every session request does, ending nothing when refused', async () => {
      const id = 'dddddddddddddddddddddd02';
      await post(id, { appname: 'd' });
      const end = (body: string, headers: Record<string, string>) =>
        fetch(`${url}/sessions/${id}`, { method: 'DELETE', headers, body });
      await expectError(await end('x', { 'content-type': 'text/plain' }), 415, 'Content-Type text/plain');
      await expectError(await end('x'.repeat(5000), JSON_HEADERS), 413, 'MAX_BODY_BYTES');
      await expectError(await end('{', JSON_HEADERS), 400, 'malformed JSON');
      expect((await get(id)).status).toBe('active');
      const ended = await end('{}', JSON_HEADERS);
      expect(ended.status).toBe(200);
      expect((await get(id)).status).toBe('ended');
    });
  });

  describe('POST /sessions/', () => {
    it('creates a session with a server-generated OID', async () => {
      for (const path of ['sessions/', 'sessions']) {
        const res = await fetch(`${url}/${path}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"gen"}' });
        expect(res.status).toBe(201);
        const { id } = (await res.json()) as Session;
        expect(id).toMatch(/^[0-9a-f]{24}$/);
        // RFC 9110 §15.3.2: without a Location, a 201 names the target (/sessions/) as what it created.
        expect(res.headers.get('location')).toBe(`/sessions/${id}`);
      }
      await expectError(
        await fetch(`${url}/sessions/`, { method: 'POST', headers: JSON_HEADERS, body: '{}' }),
        400,
        'appname is required',
      );
      // null for the field a create requires is a 400, as on POST /sessions/{unknown id}.
      await expectError(
        await fetch(`${url}/sessions/`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":null}' }),
        400,
        'appname must be a string',
      );
    });
  });

  describe('PUT /sessions/{id}', () => {
    it('replaces metadata wholesale and answers 404 for an unknown id', async () => {
      const id = 'aaaaaaaaaaaaaaaaaaaaaa06';
      await agent(id, { mode: 'editor', jobid: 'j1', metadata: { a: 1, b: 2 } });
      const res = await put(id, { metadata: { only: true }, jobid: 'j2' });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ metadata: { only: true }, jobid: 'j2', mode: 'editor' });
      // toMatchObject takes { only: true } as a subset: the stored keys a and b must be gone.
      expect((await get(id)).metadata).toEqual({ only: true });
      await expectError(await put(UNKNOWN, {}), 404, 'not found');
    });

    it('treats appname: null as absent, changing only the fields given', async () => {
      const id = 'aaaaaaaaaaaaaaaaaaaaaa07';
      await agent(id, { mode: 'editor', metadata: { only: true } });
      const res = await put(id, { appname: null, mode: 'cook' });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ appname: 'Agent', mode: 'cook', metadata: { only: true } });
      expect((await get(id)).appname).toBe('Agent');
    });
  });

  describe('DELETE /sessions/{id} and retention', () => {
    it('ends a session (200), idempotently, keeping it readable', async () => {
      const id = 'aaaaaaaaaaaaaaaaaaaaaa08';
      await agent(id);
      const res = await fetch(`${url}/sessions/${id}`, { method: 'DELETE' });
      expect(res.status).toBe(200);
      const ended = (await res.json()) as Session;
      expect(ended).toMatchObject({ status: 'ended', endReason: 'deleted' });
      expect(ended.ended).toMatch(ISO_MS);
      const again = (await (await fetch(`${url}/sessions/${id}`, { method: 'DELETE' })).json()) as Session;
      expect(again).toEqual(ended);
      expect(await get(id)).toEqual(ended);
      await expectError(await put(id, {}), 409, 'has ended');
      await expectError(await fetch(`${url}/sessions/${UNKNOWN}`, { method: 'DELETE' }), 404, 'not found');
    });

    it('logs the end in the server session once, however many DELETEs of the session race', async () => {
      const id = 'eeeeeeeeeeeeeeeeeeeeee10';
      await post(id, { appname: 'raced' });
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => fetch(`${url}/sessions/${id}`, { method: 'DELETE' })),
      );
      expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200, 200]);
      await server.app.get(ServerLogger).settled();
      const { serverSessionId } = await list();
      const log = await (await fetch(`${url}/sessions/${serverSessionId}/log?q=${id}`)).json();
      const ended = log.entries.filter((entry: { message: string }) => entry.message.includes(`session ${id} ended`));
      expect(ended).toHaveLength(1);
    });

    it('lists by status, newest created first, with the server session id', async () => {
      // One session of each status of its own: run alone, the lists were the server's session and none.
      const [kept, ended] = ['eeeeeeeeeeeeeeeeeeeeee20', 'eeeeeeeeeeeeeeeeeeeeee21'];
      await agent(kept);
      await agent(ended);
      await fetch(`${url}/sessions/${ended}`, { method: 'DELETE' });
      const active = await list();
      expect(active.sessions.every((session) => session.status === 'active')).toBe(true);
      expect(active.sessions.map((session) => session.id)).toEqual(
        expect.arrayContaining([active.serverSessionId, kept]),
      );
      const endedList = (await list('?status=ended')).sessions;
      expect(endedList.every((session) => session.status === 'ended')).toBe(true);
      expect(endedList.map((session) => session.id)).toContain(ended);
      const all = await list('?status=all');
      const created = all.sessions.map((session) => Date.parse(session.created));
      expect(created).toEqual([...created].sort((x, y) => y - x));
      expect((await fetch(`${url}/sessions`)).status).toBe(200);
      await expectError(await fetch(`${url}/sessions/?status=`), 400, 'status must not be empty');
      await expectError(await fetch(`${url}/sessions/?status=closed`), 400, 'status must be one of active, ended, all');
    });

    it('reads the listing status after a thousand unknown parameters (Express stopped at 1000)', async () => {
      const unknown = 'x=1&'.repeat(1000);
      await expectError(
        await fetch(`${url}/sessions/?${unknown}status=closed`),
        400,
        'status must be one of active, ended, all',
      );
    });

    it('forgets the earliest-ended sessions beyond SESSIONS_RETAIN_ENDED, with their logs', async () => {
      const ids = ['eeeeeeeeeeeeeeeeeeeeee01', 'eeeeeeeeeeeeeeeeeeeeee02', 'eeeeeeeeeeeeeeeeeeeeee03'];
      for (const id of ids) {
        await post(id, { appname: 'r' });
        await fetch(`${url}/sessions/${id}`, { method: 'DELETE' });
      }
      const ended = (await list('?status=ended')).sessions.map((session) => session.id);
      expect(ended.sort()).toEqual(ids.slice(1).sort());
      expect((await fetch(`${url}/sessions/${ids[0]}`)).status).toBe(404);
      expect((await fetch(`${url}/sessions/${ids[0]}/log`)).status).toBe(404);
    });
  });

  describe("the server's own session", () => {
    it('describes the process and refuses client changes with 403', async () => {
      const { serverSessionId } = await list();
      const server = await get(serverSessionId);
      expect(server).toMatchObject({ appname: 'zenserver', mode: 'server', status: 'active' });
      expect(Object.keys(server.metadata)).toEqual(expect.arrayContaining(['version', 'pid', 'hostname', 'startTime']));
      await expectError(await post(serverSessionId, { mode: 'x' }), 403, "server's own session");
      await expectError(await put(serverSessionId, {}), 403, "server's own session");
      await expectError(
        await fetch(`${url}/sessions/${serverSessionId}`, { method: 'DELETE' }),
        403,
        "server's own session",
      );
      const append = await fetch(`${url}/sessions/${serverSessionId}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      });
      await expectError(append, 403, "server's own session");
    });
  });

  describe('ids and routes', () => {
    it.each(['abc', 'g'.repeat(24), 'a'.repeat(23), 'a'.repeat(25), '%20' + 'a'.repeat(24)])(
      'answers 400 for the id %j',
      async (id) => {
        await expectError(await fetch(`${url}/sessions/${id}`), 400, 'invalid session id');
      },
    );

    it('answers 404 in the error shape for an unknown route', async () => {
      await expectError(await fetch(`${url}/nothing/here`), 404, 'Cannot GET');
    });

    it("names at most 128 characters of an unknown route's target in its 404", async () => {
      const res = await fetch(`${url}/nothing/here?q=${'x'.repeat(5000)}`);
      expect(res.status).toBe(404);
      const { message } = (await res.json()) as ErrorResponse;
      expect(message).toBe(`Cannot GET /nothing/here?q=${'x'.repeat(128 - '/nothing/here?q='.length)}…`);
    });

    it('answers 405 with Allow for a method a known path does not serve, and OPTIONS 204 with Allow', async () => {
      const patch = await fetch(`${url}/sessions/${A}`, { method: 'PATCH', headers: JSON_HEADERS, body: '{}' });
      expect(patch.headers.get('allow')).toBe('GET, HEAD, POST, PUT, DELETE, OPTIONS');
      await expectError(patch, 405, /PATCH is not allowed on \/sessions\/a{22}01; use GET/);
      const put = await fetch(`${url}/sessions/`, { method: 'PUT', headers: JSON_HEADERS, body: '{}' });
      expect(put.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      await expectError(put, 405, 'PUT is not allowed');
      const options = await fetch(`${url}/sessions/${A}/log`, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      expect(options.headers.get('x-content-type-options')).toBe('nosniff');
      await expectError(await fetch(`${url}/nothing/here`, { method: 'PATCH' }), 404, 'Cannot PATCH');
    });
  });
});

describe('liveness (SESSIONS_TIMEOUT_S)', () => {
  it('ends idle client sessions as expired and logs it in the server session', async () => {
    const server = await startApp({ SESSIONS_TIMEOUT_S: '1' });
    try {
      const idle = 'ffffffffffffffffffffff01';
      const alive = 'ffffffffffffffffffffff02';
      // Kept alive by a heartbeat (an empty POST) and by an update (PUT) rather than an append.
      const beating = 'ffffffffffffffffffffff03';
      const updated = 'ffffffffffffffffffffff04';
      for (const id of [idle, alive, beating, updated]) {
        await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"t"}' });
      }
      // Expired within about 1.5 s; a busy machine (with Redis, a round trip per request) may take longer.
      const deadline = Date.now() + 20_000;
      let state: Session | undefined;
      while (Date.now() < deadline) {
        await fetch(`${server.url}/sessions/${alive}/log`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'beat',
        });
        await fetch(`${server.url}/sessions/${beating}`, { method: 'POST' });
        await fetch(`${server.url}/sessions/${updated}`, {
          method: 'PUT',
          headers: JSON_HEADERS,
          body: '{"mode":"m"}',
        });
        // Reads, of the session and of its log, do not keep it alive.
        await fetch(`${server.url}/sessions/${idle}/log`);
        state = (await (await fetch(`${server.url}/sessions/${idle}`)).json()) as Session;
        if (state.status === 'ended') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(state).toMatchObject({ status: 'ended', endReason: 'expired' });
      for (const id of [alive, beating, updated]) {
        expect({ id, status: (await (await fetch(`${server.url}/sessions/${id}`)).json()).status }).toEqual({
          id,
          status: 'active',
        });
      }
      const { serverSessionId } = (await (await fetch(`${server.url}/sessions/`)).json()) as SessionList;
      expect((await (await fetch(`${server.url}/sessions/${serverSessionId}`)).json()).status).toBe('active');
      const log = await (await fetch(`${server.url}/sessions/${serverSessionId}/log?q=${idle}`)).json();
      expect(log.entries.map((entry: { message: string }) => entry.message)).toContainEqual(
        expect.stringContaining(`session ${idle} expired`),
      );
    } finally {
      await server.close();
    }
  });
});

describe('metadata past MAX_METADATA_BYTES', () => {
  // Its own server: the main suite's MAX_BODY_BYTES (4096) is below the default metadata limit,
  // and a second app started during that suite would take over Nest's logger from its server.
  it('names MAX_METADATA_BYTES when metadata is too large, creating nothing', async () => {
    const small = await startApp({ MAX_METADATA_BYTES: '100' });
    try {
      const res = await fetch(`${small.url}/sessions/${UNKNOWN}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ appname: 'a', metadata: { a: 'x'.repeat(100) } }),
      });
      expect([res.status, ((await res.json()) as ErrorResponse).message]).toEqual([
        400,
        'metadata is 108 bytes serialised; at most 100 are allowed (MAX_METADATA_BYTES)',
      ]);
      expect((await fetch(`${small.url}/sessions/${UNKNOWN}`)).status).toBe(404);
    } finally {
      await small.close();
    }
  });
});

describe('requests the HTTP parser rejects', () => {
  it('are answered in the error shape, not with a bare 400', async () => {
    const server = await startApp();
    try {
      const { connect } = await import('node:net');
      const port = Number(new URL(server.url).port);
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write('GET /sessions/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
        );
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text));
      });
      expect(answer).toMatch(/^HTTP\/1.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
      });
    } finally {
      await server.close();
    }
  });
});
