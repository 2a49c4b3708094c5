import { DiscoveryService } from '@nestjs/core';
import { GATEWAY_METADATA, GATEWAY_OPTIONS } from '@nestjs/websockets/constants';
import { rawRequest, RawResponse } from '@zen/testing';
import { HttpPipeline } from './http-pipeline';
import { API_HEADERS, pageHeaders } from './security-headers';
import { AppConfig } from '../config/app-config';
import { RawAnswer, rawExchange, rawUpgrade } from '../testing/raw-socket';
import { RunningApp, startApp } from '../testing/running-app';

const WRITE = 'every-route-write';
const READ = 'every-route-read';
const ORIGIN = 'http://tools.example';
const OID = 'e0e0e0e0e0e0e0e0e0e0e0e0';
/**
 * Routes open without a token (health probes, the dashboard's files, the API docs): the
 * exceptions, named here so that a new route needs a token unless it is added to them.
 */
const PUBLIC = [/^\/zen$/, /^\/zen\/dashboard(\/|$)/, /^\/zen\/health(\/|$)/, /^\/zen\/api-docs(\/|$)/];
/**
 * Routes that serve pages a browser renders (the dashboard, the API docs' UI): Helmet's headers;
 * the rest the API's, the documents the docs serve (OpenAPI JSON and YAML, AsyncAPI) among them.
 */
const PAGES = [/^\/zen$/, /^\/zen\/dashboard(\/|$)/, /^\/zen\/api-docs(\/|$)/];
const DOCUMENTS = /^\/zen\/api-docs\/(json|yaml|asyncapi\.json)\/?$/i;
const servesPages = (url: string) => {
  const path = url.split('?')[0];
  return PAGES.some((pattern) => pattern.test(path)) && !DOCUMENTS.test(path);
};
/** Whether `res` is a page: an error is data even on a route that serves pages (the README's Security headers). */
const isPage = (url: string, res: Answer) => servesPages(url) && res.status < 400;

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** Every route Express holds, read from its router of the running app: nothing is listed by hand. */
function expressRoutes(server: RunningApp): { method: string; path: string }[] {
  const express = server.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  return express.router.stack.flatMap((layer) => {
    if (!layer.route) return [];
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    // A route for every method (Nest's middleware for the WebSocket path) is tried with GET.
    const all = Object.keys(layer.route.methods).length > 10 || layer.route.methods['_all'];
    const methods = all ? ['GET'] : Object.keys(layer.route.methods).map((method) => method.toUpperCase());
    return paths.flatMap((path) => methods.map((method) => ({ method, path })));
  });
}

/** The path of every WebSocket gateway of the running app, under BASE_PATH: read from the gateways themselves. */
function gatewayPaths(server: RunningApp): string[] {
  const config = server.app.get(AppConfig);
  return server.app
    .get(DiscoveryService)
    .getProviders()
    .flatMap(({ metatype }) => (metatype && Reflect.getMetadata(GATEWAY_METADATA, metatype) ? [metatype] : []))
    .map((gateway) => config.under(Reflect.getMetadata(GATEWAY_OPTIONS, gateway).path));
}

/** A URL path the pattern matches: parameters get an OID, wildcards a file name. */
function concrete(pattern: string): string {
  return pattern
    .replace(/\{\/\*\w+\}/g, '/app.js')
    .replace(/\*\w+/g, 'app.js')
    .replace(/:\w+/g, OID);
}

/** An answer as rawRequest or rawExchange read it. */
type Answer = Pick<RawResponse, 'status' | 'body'> & { headers: Record<string, string | string[] | undefined> };

/** Helmet's headers on a page, the API's on any other answer, and none of a page's on those. */
function expectSecurityHeaders(res: Answer, what: string, pages = false): void {
  const expected = pages ? pageHeaders() : API_HEADERS;
  for (let i = 0; i < expected.length; i += 2) {
    expect([what, expected[i], res.headers[expected[i].toLowerCase()]]).toEqual([what, expected[i], expected[i + 1]]);
  }
  if (!pages) expect([what, res.headers['referrer-policy']]).toEqual([what, undefined]);
}

function expectErrorShape(res: Answer, what: string): void {
  expect([what, res.headers['content-type']]).toEqual([what, 'application/json; charset=utf-8']);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect([what, Object.keys(body).sort()]).toEqual([what, ['error', 'message', 'statusCode']]);
  expect([what, body['statusCode']]).toEqual([what, res.status]);
}

// Every cross-cutting step on every route of the running app (BASE_PATH, both tokens and
// CORS on): auth, security headers, CORS headers, metrics counting and the error shape.
describe('every route goes through every step of the HTTP pipeline', () => {
  let server: RunningApp;
  let routes: { method: string; path: string }[];
  const counted = new Map<string, number>();

  beforeAll(async () => {
    server = await startApp({ BASE_PATH: '/zen', AUTH_TOKEN: WRITE, AUTH_READ_TOKEN: READ, CORS_ORIGINS: ORIGIN });
    routes = expressRoutes(server);
  });
  afterAll(() => server.close());

  async function send(method: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    const res = await rawRequest(`${server.url.replace(/\/zen$/, '')}${path}`, method, { origin: ORIGIN, ...headers });
    const label = server.app.get(HttpPipeline).routes.match(method, path)?.route.path ?? 'unmatched';
    const key = `method="${method}",route="${label}",status="${res.status}"`;
    counted.set(key, (counted.get(key) ?? 0) + 1);
    return res;
  }

  /** An upgrade request, counted like `send`'s under `label`: the WebSocket route's pattern, or `unmatched`. */
  async function upgrade(path: string, label: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
    const res = await rawUpgrade(server, path, headers);
    const key = `method="GET",route="${label}",status="${res.status}"`;
    counted.set(key, (counted.get(key) ?? 0) + 1);
    return res;
  }

  function expectRefusal(res: RawAnswer, status: number, what: string): void {
    expect([what, res.status, res.closed]).toEqual([what, status, true]);
    expectErrorShape(res, what);
    expectSecurityHeaders(res, what);
  }

  it('finds the routes (sessions, logs, health, metrics, dashboard, docs) under the base path', () => {
    const paths = routes.map((route) => `${route.method} ${route.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /zen/sessions',
        'POST /zen/sessions/:id',
        'POST /zen/sessions/:id/log',
        'GET /zen/sessions/:id/log',
        'GET /zen/health/ready',
        'GET /zen/metrics',
        'GET /zen/api-docs/json',
      ]),
    );
    expect(routes.every((route) => route.path.startsWith('/zen'))).toBe(true);
  });

  it('knows every route of the router in the pipeline (so its access and metrics label are known)', () => {
    const pipeline = server.app.get(HttpPipeline);
    const unknown = routes.filter((route) => !pipeline.routes.match(route.method, concrete(route.path)));
    expect(unknown).toEqual([]);
  });

  it('refuses every route but the public ones without a token, in the error shape, with headers and CORS', async () => {
    for (const { method, path } of routes) {
      const url = concrete(path);
      const what = `${method} ${path}`;
      const res = await send(method, url);
      expectSecurityHeaders(res, what, isPage(url, res));
      expect([what, res.headers['access-control-allow-origin']]).toEqual([what, ORIGIN]);
      if (PUBLIC.some((pattern) => pattern.test(url))) {
        expect([what, res.status]).not.toEqual([what, 401]);
      } else {
        expect([what, res.status]).toEqual([what, 401]);
        expect([what, res.headers['www-authenticate']]).toEqual([what, 'Bearer']);
        expectErrorShape(res, what);
      }
    }
  });

  it('serves every route with the token, with headers and CORS, and answers its errors in the error shape', async () => {
    for (const { method, path } of routes) {
      const what = `${method} ${path}`;
      const tries = [concrete(path)];
      // A route with an id also gets a bad one: the route's own error, not the pipeline's.
      if (path.includes(':')) tries.push(concrete(path).replace(OID, 'not-an-id'));
      for (const url of tries) {
        const res = await send(method, url, { authorization: `Bearer ${WRITE}` });
        expect([what, url, res.status]).not.toEqual([what, url, 401]);
        expectSecurityHeaders(res, `${what} (${url})`, isPage(url, res));
        expect([what, url, res.headers['access-control-allow-origin']]).toEqual([what, url, ORIGIN]);
        if (res.status >= 400) expectErrorShape(res, `${what} (${url})`);
      }
    }
  });

  it('refuses every route, public ones and WebSockets too, for a host name it does not answer, even with the token', async () => {
    const evil = { host: 'evil.example', authorization: `Bearer ${WRITE}` };
    for (const { method, path } of routes) {
      const what = `${method} ${path} (Host evil.example)`;
      const res = await send(method, concrete(path), evil);
      expect([what, res.status]).toEqual([what, 403]);
      expectErrorShape(res, what);
      expectSecurityHeaders(res, what);
    }
    for (const path of gatewayPaths(server)) {
      const res = await upgrade(path, path, { Host: 'evil.example', Authorization: `Bearer ${WRITE}` });
      expectRefusal(res, 403, `upgrade to ${path} (Host evil.example)`);
    }
  });

  it('answers preflights for every route without a token', async () => {
    for (const { method, path } of routes) {
      const res = await send('OPTIONS', concrete(path), { 'access-control-request-method': method });
      expect([path, res.status]).toEqual([path, 204]);
      expect([path, res.headers['access-control-allow-origin']]).toEqual([path, ORIGIN]);
      // A preflight's answer is no page, whatever the path serves to a GET.
      expectSecurityHeaders(res, `OPTIONS ${path}`);
    }
  });

  it('answers a request Node cannot parse in the error shape too, with the security headers', async () => {
    const what = 'a header line without a colon';
    const res = await rawExchange(server, 'GET /zen/sessions HTTP/1.1\r\nHost: localhost\r\nno colon here');
    expect([what, res.status, res.closed]).toEqual([what, 400, true]);
    expectErrorShape(res, what);
    expectSecurityHeaders(res, what);
  });

  it('sends every WebSocket upgrade through the pipeline: its route, its access, refusals in the error shape with headers', async () => {
    const webSockets = server.app.get(HttpPipeline).routes.webSockets();
    // Every gateway is reached through a WebSocket route of the pipeline (else its upgrades are 404s).
    expect(webSockets.map((route) => route.path).sort()).toEqual(gatewayPaths(server).sort());
    expect(webSockets.map((route) => route.path)).toContain('/zen/sessions/ws');
    for (const { path, access } of webSockets) {
      const what = `upgrade ${path}`;
      const tokens = access === 'write' ? [WRITE] : [READ, WRITE];
      if (access === 'public') {
        expect([what, (await upgrade(path, path)).status]).toEqual([what, 101]);
      } else {
        const refused = await upgrade(path, path);
        expectRefusal(refused, 401, `${what} without a token`);
        expect([what, refused.headers['www-authenticate']]).toEqual([what, 'Bearer']);
        expectRefusal(await upgrade(path, path, { Authorization: 'Bearer wrong' }), 401, `${what} with a wrong token`);
        if (access === 'write')
          expectRefusal(await upgrade(path, path, { Authorization: `Bearer ${READ}` }), 401, what);
        // Browsers cannot send the header: the query parameter counts too.
        expect([what, (await upgrade(`${path}?access_token=${tokens[0]}`, path)).status]).toEqual([what, 101]);
      }
      const auth = { Authorization: `Bearer ${tokens[0]}` };
      for (const token of tokens) {
        expect([what, token, (await upgrade(path, path, { Authorization: `Bearer ${token}` })).status]).toEqual([
          what,
          token,
          101,
        ]);
      }
      // Refused by the handshake check, and by `ws` itself (a malformed subprotocol list).
      expectRefusal(await upgrade(path, path, { ...auth, 'Sec-WebSocket-Key': 'short' }), 400, `${what}: bad key`);
      expectRefusal(await upgrade(path, path, { ...auth, 'Sec-WebSocket-Protocol': 'a b' }), 400, `${what}: ws's own`);
    }
    const nowhere = await upgrade('/zen/sessions/nows', 'unmatched', { Authorization: `Bearer ${WRITE}` });
    expectRefusal(nowhere, 404, 'upgrade to a path without a WebSocket');
  });

  it("takes a WebSocket's access from its route in the pipeline's route table, and from nowhere else", async () => {
    const route = server.app.get(HttpPipeline).routes.webSocketAt('/zen/sessions/ws');
    if (!route) throw new Error('no WebSocket route at /zen/sessions/ws');
    const stated = route.access;
    try {
      route.access = 'write';
      expectRefusal(await upgrade(route.path, route.path, { Authorization: `Bearer ${READ}` }), 401, 'read token');
      expect((await upgrade(route.path, route.path, { Authorization: `Bearer ${WRITE}` })).status).toBe(101);
      route.access = 'public';
      expect((await upgrade(route.path, route.path)).status).toBe(101);
    } finally {
      route.access = stated;
    }
  });

  it('counted every request and upgrade above in the metrics, by method, route pattern and status', async () => {
    const res = await rawRequest(`${server.url}/metrics`, 'GET', { authorization: `Bearer ${READ}` });
    expect(res.status).toBe(200);
    expect(counted.size).toBeGreaterThan(routes.length);
    for (const [labels, count] of counted) {
      const line = res.body.split('\n').find((l) => l.startsWith(`zen_http_request_duration_seconds_count{${labels}}`));
      expect([labels, Number(line?.split(' ')[1] ?? 0) >= count]).toEqual([labels, true]);
    }
  });
});
