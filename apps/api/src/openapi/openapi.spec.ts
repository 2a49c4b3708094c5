import { OpenAPIObject } from '@nestjs/swagger';
import { RunningApp, startApp } from '../testing/running-app';

/** Every route of ../shared/API.md with the statuses the contract names for it (401: optional auth). */
const CONTRACT: Record<string, Record<string, number[]>> = {
  '/sessions': {
    get: [200, 400, 401],
    post: [201, 400, 401, 413, 415, 429],
  },
  // The listing's own URI (API.md), stated apart so that it is not read as /sessions/{id}.
  '/sessions/': {
    get: [200, 400, 401],
    post: [201, 400, 401, 413, 415, 429],
  },
  '/sessions/{id}': {
    post: [200, 201, 400, 401, 403, 409, 413, 415, 429],
    put: [200, 400, 401, 403, 404, 409, 413, 415],
    delete: [200, 400, 401, 403, 404, 413, 415],
    get: [200, 400, 401, 404],
  },
  '/sessions/{id}/log': {
    get: [200, 400, 401, 404],
    post: [200, 400, 401, 403, 404, 409, 413, 415],
  },
  '/health': { get: [200, 503] },
  '/health/ready': { get: [200, 503] },
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

  it('serves the docs UI', async () => {
    const res = await fetch(`${server.url}/api-docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });
});
