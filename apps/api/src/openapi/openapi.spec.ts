import { OpenAPIObject } from '@nestjs/swagger';
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
  afterAll(() => server.close());

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

  it('serves the docs UI', async () => {
    const res = await fetch(`${server.url}/api-docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });
});
