import { OpenAPIObject } from '@nestjs/swagger';
import { eventually, freePort, JSON_HEADERS, oid } from '@zen/testing';
import Ajv from 'ajv';
import { connect, Socket } from 'node:net';
import { API_HEADERS, pageHeaders } from '../http/security-headers';
import { RunningApp, startApp } from '../testing/running-app';

/**
 * Every route of ../shared/API.md with the statuses the contract names for it (401: optional auth).
 * 429: the limits API.md leaves to the README ("Other limits above may have their own variables; the
 * README lists them all"): MAX_SESSIONS on the creates, MAX_APPEND_ENTRIES_PER_S and
 * MAX_CLIENT_APPEND_ENTRIES_PER_S on the append. 503 (STORE_DOWN): every route that needs the store,
 * per API.md's Scale-out: "While Redis cannot be reached, requests that need it answer `503`".
 */
const STORE_DOWN = 503;

/** The parts of an OpenAPI response object these tests read. */
interface ResponseObject {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: unknown }>;
}
const JSON_TYPE = 'application/json';
const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorResponse' };
// The listing and log reads: 429 past MAX_CLIENT_UNSENT_RESPONSE_BYTES (README), for answers a client has not read.
const CONTRACT: Record<string, Record<string, number[]>> = {
  '/sessions': {
    get: [200, 400, 401, 429, STORE_DOWN],
    post: [201, 400, 401, 413, 415, 429, STORE_DOWN],
  },
  // The listing's own URI (API.md), stated apart so that it is not read as /sessions/{id}.
  '/sessions/': {
    get: [200, 400, 401, 429, STORE_DOWN],
    post: [201, 400, 401, 413, 415, 429, STORE_DOWN],
  },
  '/sessions/{id}': {
    post: [200, 201, 400, 401, 403, 409, 413, 415, 429, STORE_DOWN],
    put: [200, 400, 401, 403, 404, 409, 413, 415, STORE_DOWN],
    delete: [200, 400, 401, 403, 404, 413, 415, STORE_DOWN],
    get: [200, 400, 401, 404, STORE_DOWN],
  },
  '/sessions/{id}/log': {
    get: [200, 400, 401, 404, 429, STORE_DOWN],
    post: [200, 400, 401, 403, 404, 409, 413, 415, 429, STORE_DOWN],
  },
  // /health: 200 whenever the process answers, shutting down too (it checks nothing else). /health/ready, API.md: "`GET /health/ready` answers `503`" while the store cannot be
  // reached (the README adds: and while shutting down).
  // API.md: "A plain HTTP request to `/sessions/ws` is answered `426`"; the upgrade's answers (README, Live updates).
  '/sessions/ws': { get: [101, 400, 401, 403, 426], post: [401, 426], put: [401, 426], delete: [401, 426] },
  '/health': { get: [200] },
  '/health/ready': { get: [200, 503] },
  // The scrape answers while the store cannot (zen_store_up 0, the store's figures left out).
  '/metrics': { get: [200, 401] },
};

describe('OpenAPI document', () => {
  let server: RunningApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    server = await startApp({ BASE_PATH: '/zen' });
    const res = await fetch(`${server.url}/api-docs/json`);
    expect(res.status).toBe(200);
    document = (await res.json()) as OpenAPIObject;
  });
  /** When a Redis-store app of a test was closed (see afterAll). */
  let outageClosedAt = 0;
  afterAll(async () => {
    await server.close();
    // A closed app's Redis client sleeps out its reconnect delay (at most 2 s) with no way to
    // cancel it: wait for it, so that the suite leaves nothing running (as openapi-traffic.spec.ts).
    const left = outageClosedAt + 2_500 - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  });

  it('describes exactly the contract routes, under the base path', () => {
    const routes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = Object.entries(CONTRACT).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} /zen${path}`),
    );
    expect(routes.sort()).toEqual(expected.sort());
  });

  it.each(
    Object.entries(CONTRACT).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, statuses]) => ({ path, method, statuses })),
    ),
  )('$method $path lists the statuses the contract names', ({ path, method, statuses }) => {
    const operation = (document.paths[`/zen${path}`] as Record<string, { responses: Record<string, unknown> }>)[method];
    const listed = Object.keys(operation.responses).map(Number);
    expect(listed.sort()).toEqual([...statuses].sort());
  });

  it("answers every error status in the contract's error shape", () => {
    const shapes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { responses: Record<string, ResponseObject> }>).flatMap(
        ([method, operation]) =>
          Object.entries(operation.responses)
            .filter(([status]) => Number(status) >= 400)
            .map(([status, response]) => [`${method} ${path} ${status}`, response.content?.[JSON_TYPE]?.schema]),
      ),
    );
    expect(shapes.length).toBeGreaterThan(0);
    for (const [what, schema] of shapes) expect([what, schema]).toEqual([what, ERROR_SCHEMA]);
  });

  it("declares Retry-After on the append's 429", () => {
    const limited = (document.paths['/zen/sessions/{id}/log'].post?.responses as Record<string, ResponseObject>)['429'];
    expect(limited.headers?.['Retry-After']).toMatchObject({ required: true, schema: { type: 'integer', minimum: 1 } });
  });

  // They were described as a create's 429 (MAX_SESSIONS), with no Retry-After, which they send.
  it.each(['/zen/sessions', '/zen/sessions/{id}/log'])(
    "declares %s's read refusals to retry later, 429 and 503, with Retry-After",
    (path) => {
      const responses = document.paths[path].get?.responses as Record<string, ResponseObject>;
      expect(responses['429'].description).toContain('MAX_CLIENT_UNSENT_RESPONSE_BYTES');
      expect(responses['429'].headers?.['Retry-After']).toMatchObject({ required: true });
      expect(responses['503'].description).toMatch(/MAX_UNSENT_RESPONSE_BYTES.*REDIS_LARGE_READS.*cannot be reached/);
      expect(responses['503'].headers?.['Retry-After']).toMatchObject({ required: false, schema: { type: 'integer' } });
    },
  );

  /** A component schema, or one of its properties, that `ref` names. */
  function resolve(ref: string): object {
    return ref
      .replace('#/', '')
      .split('/')
      .reduce((node: Record<string, unknown>, key) => node[key] as Record<string, unknown>, document as never);
  }

  // The path read as /sessions/{id}, whose id `ws` is a 400: the 426 the server answers was in no operation.
  it.each(['get', 'post', 'put', 'delete'])(
    'documents a plain %s /sessions/ws as answered: 426 in the error shape, with Upgrade: websocket',
    async (method) => {
      const res = await fetch(`${server.url}/sessions/ws`, { method: method.toUpperCase() });
      expect(res.status).toBe(426);
      expect(res.headers.get('upgrade')).toBe('websocket');
      expect(await res.json()).toMatchObject({ statusCode: 426, error: 'Upgrade Required' });
      const operations = document.paths['/zen/sessions/ws'] as Record<
        string,
        { responses: Record<string, ResponseObject> }
      >;
      const upgrade = operations[method]?.responses['426'];
      expect(upgrade?.content?.[JSON_TYPE]?.schema).toEqual(ERROR_SCHEMA);
      expect(upgrade?.headers?.['Upgrade']).toMatchObject({ schema: { const: 'websocket' } });
    },
  );

  // Terminus's own documentation wrote its generic result object (with OpenAPI 3.0's `nullable`) as the 200.
  it("documents /health/ready's 200 as the contract's HealthCheck, which its answer is", async () => {
    const ok = (document.paths['/zen/health/ready'].get?.responses as Record<string, ResponseObject>)['200'];
    expect(ok.content?.[JSON_TYPE]?.schema).toEqual({ $ref: '#/components/schemas/HealthCheck' });
    expect(ok.description).not.toContain('The Health Check is successful');
    const res = await fetch(`${server.url}/health/ready`);
    expect(res.status).toBe(200);
    const valid = new Ajv({ strict: false }).compile(resolve('#/components/schemas/HealthCheck'));
    expect(valid(await res.json())).toBe(true);
  });

  // `q` was a plain string: the document allowed `?q=`, which the server refuses.
  it("refuses, in each query parameter's schema, the empty value the server answers 400", async () => {
    const id = oid(0x0a0e);
    const created = await fetch(`${server.url}/sessions/${id}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"appname":"empty-queries"}',
    });
    expect(created.status).toBe(201);
    const ajv = new Ajv({ strict: false });
    const checked: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const operation = (
        item as Record<string, { parameters?: { name: string; in: string; schema: { $ref: string } }[] }>
      ).get;
      for (const parameter of (operation?.parameters ?? []).filter((each) => each.in === 'query')) {
        const url = `${server.url}${path.replace('/zen', '').replace('{id}', id)}?${parameter.name}=`;
        const res = await fetch(url);
        const body = (await res.json()) as { message: string };
        const schema = parameter.schema.$ref ? resolve(parameter.schema.$ref) : parameter.schema;
        expect({ url, status: res.status, message: body.message, documentAllows: ajv.validate(schema, '') }).toEqual({
          url,
          status: 400,
          message: `${parameter.name} must not be empty`,
          documentAllows: false,
        });
        checked.push(parameter.name);
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['status', 'cursor', 'offset', 'limit', 'level', 'q', 'format']));
  });

  it('states the defaults the server applies to the log query', async () => {
    const id = oid(0x0a0f);
    await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"d"}' });
    const lines = Array.from({ length: 150 }, (_, i) => `line ${i}`).join('\n');
    const appended = await fetch(`${server.url}/sessions/${id}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: lines,
    });
    expect(appended.status).toBe(200);
    const query = (name: string) =>
      resolve(`#/components/schemas/LogQuery/properties/${name}`) as Record<string, unknown>;
    const read = async (search: string) =>
      (await (await fetch(`${server.url}/sessions/${id}/log${search}`)).json()) as Record<string, unknown>;
    // No query: cursor mode from the stated default cursor, every entry (no limit).
    const all = (await read('')) as { entries: { seq: number }[]; cursor: number };
    expect(all.entries[0].seq).toBe(query('cursor')['default']);
    expect(all.entries).toHaveLength(150);
    expect(query('limit')['description']).toMatch(/cursor mode all/);
    // Offset mode: from the stated default offset, at most the stated default limit.
    const page = await read('?limit=1');
    expect(page['offset']).toBe(query('offset')['default']);
    const defaultPage = await read('?offset=0');
    expect(query('limit')['description']).toContain(`in offset mode ${defaultPage['limit']} when not given`);
    expect(defaultPage['limit']).toBe(100);
    expect(query('format')['default']).toBe('json');
  });

  // `level` was the bare enum of levels: read as "entries at this level", where it keeps the more severe too.
  it("says what the log query's level keeps: that level or more severe", async () => {
    const id = oid(0x0a11);
    await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"l"}' });
    const entries = ['debug', 'info', 'warn', 'error'].map((level) => ({ level, message: level }));
    await fetch(`${server.url}/sessions/${id}/log`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ entries }),
    });
    const read = (await (await fetch(`${server.url}/sessions/${id}/log?level=warn`)).json()) as {
      entries: { level: string }[];
    };
    expect(read.entries.map((entry) => entry.level)).toEqual(['warn', 'error']);
    const level = resolve('#/components/schemas/LogQuery/properties/level') as { description?: string };
    expect(level.description).toMatch(/at this level or more severe/);
  });

  // Nest's addBearerAuth() default said `bearerFormat: JWT`; the tokens are AUTH_TOKEN's and AUTH_READ_TOKEN's strings.
  it('describes the bearer token as what it is: the configured token, not a JWT', () => {
    const bearer = (document.components?.securitySchemes as unknown as Record<string, Record<string, string>>)[
      'bearer'
    ];
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(bearer['bearerFormat']).toBeUndefined();
    expect(bearer['description']).toMatch(/AUTH_TOKEN.*AUTH_READ_TOKEN.*access_token/);
  });

  // The write routes' 503 named Retry-After in its description, and declared no header.
  it.each([
    ['/zen/sessions/{id}', 'post'],
    ['/zen/sessions/{id}', 'put'],
    ['/zen/sessions/{id}', 'delete'],
    ['/zen/sessions', 'post'],
    ['/zen/sessions/{id}/log', 'post'],
  ])("declares %s %s's 503 Retry-After, as a body past MAX_INCOMING_BODY_BYTES gets it", (path, method) => {
    const responses = (document.paths[path] as Record<string, { responses: Record<string, ResponseObject> }>)[method]
      .responses;
    expect(responses['503'].headers?.['Retry-After']).toMatchObject({ required: false, schema: { type: 'integer' } });
  });

  it('answers a body past MAX_INCOMING_BODY_BYTES with 503 and Retry-After, as the document declares', async () => {
    const own = await startApp({ MAX_INCOMING_BODY_BYTES: '1024' });
    const sockets: Socket[] = [];
    const port = Number(new URL(own.url).port);
    /** Sends a PUT whose body is `sent` of `length` bytes; returns what the server answered so far. */
    const put = (id: string, length: number, sent: string) => {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      let answer = '';
      socket.on('data', (data) => (answer += data.toString()));
      socket.on('error', () => undefined);
      socket.write(
        `PUT /sessions/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${sent}`,
      );
      return () => answer;
    };
    try {
      // 900 bytes of a 1,000-byte body held: any other body of more than 124 bytes is past 1,024.
      const held = put(oid(0x0b01), 1000, ' '.repeat(900));
      const body = `{"appname":"refused"}${' '.repeat(600)}`;
      let refused = '';
      // Sent again until the held body is being received (before, this one gets in: a 404).
      await eventually(
        async () => {
          const answer = put(oid(0x0b02), body.length, body);
          await eventually(() => answer().includes('\r\n\r\n{'), 30_000, 'an answer');
          refused = answer();
          return refused.startsWith('HTTP/1.1 503 ');
        },
        60_000,
        'a 503',
      );
      expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(refused).toContain('MAX_INCOMING_BODY_BYTES (1024)');
      expect(held()).toBe('');
      const documented = (document.paths['/zen/sessions/{id}'].put?.responses as Record<string, ResponseObject>)['503'];
      expect(documented.headers?.['Retry-After']).toMatchObject({ schema: { type: 'integer', minimum: 1 } });
    } finally {
      for (const socket of sockets) socket.destroy();
      await own.close();
    }
  });

  // It said the body is required: a validating proxy refused (422) the empty text body the server answers 200.
  it("declares the append's body optional, as the server takes an empty one (no entries)", async () => {
    const id = oid(0x0a10);
    await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"e"}' });
    const res = await fetch(`${server.url}/sessions/${id}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ appended: 0, cursor: 0 });
    const body = (document.paths['/zen/sessions/{id}/log'].post as { requestBody?: { required?: boolean } })
      .requestBody;
    expect(body?.required).toBe(false);
  });

  // No operation declared one: the docs UI's "Authorize" sent the token with no request (every
  // "Try it out" a 401 on a server with tokens), and a client generated from the document sent none.
  it.each([
    ['AUTH_TOKEN', { AUTH_TOKEN: 'write-token-1' }],
    ['AUTH_READ_TOKEN', { AUTH_READ_TOKEN: 'read-token-1' }],
    ['no token', {}],
  ])('declares the bearer token on exactly the operations that need it, with %s', async (_name, tokens) => {
    const own = await startApp(tokens);
    try {
      const served = (await (await fetch(`${own.url}/api-docs/json`)).json()) as OpenAPIObject;
      const id = oid(0x0c01);
      const table: string[] = [];
      for (const [path, item] of Object.entries(served.paths)) {
        for (const [method, operation] of Object.entries(item as Record<string, { security?: object[] }>)) {
          const url = `${own.url}${path.replace('{id}', id)}`;
          const res = await fetch(url, {
            method: method.toUpperCase(),
            ...(['post', 'put'].includes(method) ? { headers: JSON_HEADERS, body: '{"appname":"s"}' } : {}),
          });
          await res.arrayBuffer();
          const declared = JSON.stringify(operation.security) === JSON.stringify([{ bearer: [] }]);
          table.push(`${method} ${path}: ${declared ? 'token' : 'none'} ${res.status === 401 ? 'token' : 'none'}`);
        }
      }
      // Each line: what the document declares, then what the server asked for.
      expect(table.filter((line) => !/: (token token|none none)$/.test(line))).toEqual([]);
      expect(table.some((line) => line.endsWith('token token'))).toBe(Object.keys(tokens).length > 0);
    } finally {
      await own.close();
    }
  });

  // Every 400 said "Bad id, malformed body or invalid fields": a listing has no id and no GET a body.
  it.each([
    ['/sessions', '?status=ended,all', /status must be one of/, /bad status/],
    ['/sessions/', '?status=', /status must not be empty/, /bad status.*empty/],
    ['/sessions/{id}', '', /invalid session id "xyz"/, /bad id/],
    ['/sessions/{id}/log', '?cursor=1&offset=1', /cursor and offset cannot be combined/, /cursor with offset/],
    [
      '/sessions/{id}/log',
      '?limit=10001',
      /limit must be at most 10000 \(MAX_READ_LIMIT\)/,
      /limit above MAX_READ_LIMIT/,
    ],
  ])(
    "describes GET %s%s's 400 by what causes it, as the server answers it",
    async (path, query, answered, described) => {
      const id = path.includes('{id}/log') ? oid(0x0a12) : 'xyz';
      if (path.includes('{id}/log')) {
        await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"b"}' });
      }
      const res = await fetch(`${server.url}${path.replace('{id}', id)}${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(answered);
      const description = (document.paths[`/zen${path}`].get?.responses as Record<string, ResponseObject>)['400']
        .description;
      expect(description).toMatch(described);
      expect(description).not.toMatch(/body/);
    },
  );

  // It was the writes' 503, "or, with Retry-After, the request bodies being received …": a GET has none.
  it("describes GET /sessions/{id}'s 503 as the store's alone, without Retry-After, as answered", async () => {
    const outage = await startApp({
      LOG_STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      REDIS_TIMEOUT_MS: '300',
    });
    try {
      const res = await fetch(`${outage.url}/sessions/${oid(0x0a13)}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(((await res.json()) as { message: string }).message).toMatch(/session store .* is unavailable/);
    } finally {
      await outage.close();
      outageClosedAt = Date.now();
    }
    const documented = (document.paths['/zen/sessions/{id}'].get?.responses as Record<string, ResponseObject>)['503'];
    expect(documented.description).toMatch(/session store cannot be reached/);
    expect(documented.description).not.toContain('MAX_INCOMING_BODY_BYTES');
    expect(documented.headers?.['Retry-After']).toBeUndefined();
  });

  it('serves the docs UI', async () => {
    const res = await fetch(`${server.url}/api-docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });

  it('serves its documents (OpenAPI JSON and YAML, AsyncAPI) as data, with the API s headers, and the UI as a page', async () => {
    // The documents are data a tool reads, as every JSON answer is (README, Security headers):
    // they carried the docs page's Helmet headers, a CSP that lets scripts run among them.
    const headerNames = (list: readonly string[]) => list.filter((_, i) => i % 2 === 0);
    for (const path of ['/api-docs/json', '/api-docs/yaml', '/api-docs/asyncapi.json']) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      for (let i = 0; i < API_HEADERS.length; i += 2) {
        expect([path, API_HEADERS[i], res.headers.get(API_HEADERS[i])]).toEqual([
          path,
          API_HEADERS[i],
          API_HEADERS[i + 1],
        ]);
      }
      const pageOnly = headerNames(pageHeaders()).filter((name) => !headerNames(API_HEADERS).includes(name));
      expect([path, pageOnly.filter((name) => res.headers.has(name))]).toEqual([path, []]);
      await res.arrayBuffer();
    }
    for (const path of ['/api-docs', '/api-docs/', '/api-docs/swagger-ui-init.js']) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect([path, res.headers.get('content-security-policy')]).toEqual([
        path,
        expect.stringContaining("script-src 'self'"),
      ]);
      expect([path, res.headers.get('referrer-policy')]).toEqual([path, 'no-referrer']);
      await res.arrayBuffer();
    }
  });
});
