import { Session } from '@zen/contract';
import WebSocket from 'ws';
import { JSON_HEADERS } from '@zen/testing';
import { RunningApp, startApp } from './testing/running-app';

const ID = 'd3d3d3d3d3d3d3d3d3d3d3d3';

function firstMessage(url: string): Promise<{ event: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (data) => {
      ws.close();
      resolve(JSON.parse(data.toString()));
    });
    ws.once('error', reject);
  });
}

describe('BASE_PATH=/zen', () => {
  let server: RunningApp;
  let root: string;
  beforeAll(async () => {
    server = await startApp({ BASE_PATH: '/zen' });
    root = server.url.replace(/\/zen$/, '');
  });
  afterAll(() => server.close());

  it('moves the API, health, metrics and docs under the prefix', async () => {
    for (const path of ['/sessions/', '/health', '/metrics', '/api-docs/json']) {
      expect([path, (await fetch(`${root}/zen${path}`)).status]).toEqual([path, 200]);
      expect([path, (await fetch(`${root}${path}`)).status]).toEqual([path, 404]);
    }
  });

  it("names a created session's URL under the prefix in Location", async () => {
    const res = await fetch(`${root}/zen/sessions/`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"appname":"z"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/zen/sessions/${((await res.json()) as Session).id}`);
  });

  it('moves the WebSocket under the prefix', async () => {
    expect(await firstMessage(`${server.wsUrl}/sessions/ws`)).toMatchObject({ event: 'sessions' });
    expect((await fetch(`${root}/zen/sessions/ws`)).status).toBe(426);
  });

  it('redirects the prefix root to the dashboard, whose base href names the prefix', async () => {
    const res = await fetch(`${root}/zen/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/zen/dashboard/');
    const html = await (await fetch(`${root}/zen/dashboard/sessions/${ID}`)).text();
    expect(html).toContain('<base href="/zen/dashboard/">');
  });
});

describe('TRUST_PROXY and the client address', () => {
  const create = (server: RunningApp, id: string) =>
    fetch(`${server.url}/sessions/${id}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-forwarded-for': '203.0.113.7' },
      body: '{"appname":"a"}',
    }).then((res) => res.json() as Promise<Session>);

  it('ignores X-Forwarded-For by default', async () => {
    const server = await startApp();
    try {
      expect((await create(server, ID)).clientAddress).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });

  it('records the forwarded address when the proxy is trusted', async () => {
    const server = await startApp({ TRUST_PROXY: 'loopback' });
    try {
      expect((await create(server, ID)).clientAddress).toBe('203.0.113.7');
    } finally {
      await server.close();
    }
  });
});

describe('security headers and CORS', () => {
  it('sends a CSP and no CORS headers by default', async () => {
    const server = await startApp();
    try {
      const res = await fetch(`${server.url}/sessions/`, { headers: { origin: 'http://elsewhere.example' } });
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it("gives pages (the dashboard, the API docs) Helmet's document headers, and API answers none of them", async () => {
    const server = await startApp();
    try {
      for (const path of ['/dashboard/', '/api-docs']) {
        const page = await fetch(`${server.url}${path}`);
        expect([path, page.status]).toEqual([path, 200]);
        expect([path, page.headers.get('content-security-policy')]).toEqual([
          path,
          expect.stringContaining("script-src 'self'"),
        ]);
        expect([path, page.headers.get('referrer-policy')]).toEqual([path, 'no-referrer']);
        expect([path, page.headers.get('cross-origin-opener-policy')]).toEqual([path, 'same-origin']);
      }
      const data = await fetch(`${server.url}/sessions`);
      expect(data.status).toBe(200);
      for (const name of ['referrer-policy', 'cross-origin-opener-policy', 'x-xss-protection', 'origin-agent-cluster'])
        expect([name, data.headers.get(name)]).toEqual([name, null]);
    } finally {
      await server.close();
    }
  });

  it('allows the configured origins', async () => {
    const server = await startApp({ CORS_ORIGINS: 'http://tools.example' });
    try {
      const res = await fetch(`${server.url}/sessions/`, { headers: { origin: 'http://tools.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('http://tools.example');
      // A cross-site client reads where POST /sessions/ put its session, and how long a 429 asks it to wait.
      expect(res.headers.get('access-control-expose-headers')?.split(',')).toEqual(
        expect.arrayContaining(['Location', 'Retry-After']),
      );
      const other = await fetch(`${server.url}/sessions/`, { headers: { origin: 'http://elsewhere.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('answers an OPTIONS that is no preflight as without CORS: Allow where a route is, 404 where none is', async () => {
    const server = await startApp({ CORS_ORIGINS: 'http://tools.example' });
    const session = `${server.url}/sessions/c0c0c0c0c0c0c0c0c0c0c0c0`;
    try {
      // What `curl -X OPTIONS` asks: the methods a path serves.
      const plain = await fetch(session, { method: 'OPTIONS' });
      expect(plain.status).toBe(204);
      expect(plain.headers.get('allow')).toBe('GET, HEAD, POST, PUT, DELETE, OPTIONS');
      const nowhere = await fetch(`${server.url}/nowhere`, { method: 'OPTIONS' });
      expect(nowhere.status).toBe(404);
      expect(await nowhere.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
      // A preflight is still CORS's, on every path (the request it clears gets its own answer).
      for (const url of [session, `${server.url}/nowhere`]) {
        const preflight = await fetch(url, {
          method: 'OPTIONS',
          headers: { origin: 'http://tools.example', 'access-control-request-method': 'PUT' },
        });
        expect([url, preflight.status]).toEqual([url, 204]);
        expect([url, preflight.headers.get('access-control-allow-origin')]).toEqual([url, 'http://tools.example']);
        // The methods routes serve: not the cors package's default, which adds PATCH.
        expect([url, preflight.headers.get('access-control-allow-methods')]).toEqual([url, 'GET,HEAD,POST,PUT,DELETE']);
      }
    } finally {
      await server.close();
    }
  });
});
