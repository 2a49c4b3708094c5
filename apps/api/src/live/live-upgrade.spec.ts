import { ErrorResponse } from '@zen/contract';
import { Agent, get, IncomingMessage } from 'node:http';
import { WsTestClient } from '@zen/testing';
import { RawAnswer, rawExchange, rawUpgrade } from '../testing/raw-socket';
import { RunningApp, startApp } from '../testing/running-app';

/** The contract's error shape, as JSON, with the status it was answered with, and a message matching `message`. */
function expectError(answer: RawAnswer, status: number, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body, 'latin1'));
  const body = JSON.parse(answer.body) as ErrorResponse;
  expect(Object.keys(body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(body.statusCode).toBe(status);
  expect(body.error).toBe(
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' }[status],
  );
  expect(body.message).toMatch(message);
  expect(answer.closed).toBe(true);
}

describe('WebSocket upgrade requests', () => {
  let server: RunningApp;
  let root: string;
  beforeAll(async () => {
    server = await startApp();
    root = new URL(server.url).pathname.replace(/\/$/, '');
  });
  afterAll(() => server.close());

  it('upgrades a valid request to /sessions/ws as before', async () => {
    const answer = await rawUpgrade(server, `${root}/sessions/ws`);
    expect(answer.status).toBe(101);
    expect(answer.headers['upgrade']).toBe('websocket');
    expect(answer.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.until((frames) => frames.some((frame) => frame.event === 'sessions'));
    client.ws.close();
  });

  it('answers a missing or invalid Sec-WebSocket-Key with 400 in the error shape', async () => {
    const missing = await rawUpgrade(server, `${root}/sessions/ws`, { 'Sec-WebSocket-Key': undefined });
    expectError(missing, 400, /missing Sec-WebSocket-Key/);
    expectError(
      await rawUpgrade(server, `${root}/sessions/ws`, { 'Sec-WebSocket-Key': 'short' }),
      400,
      /invalid Sec-WebSocket-Key header "short"/,
    );
  });

  it('answers a missing or unsupported Sec-WebSocket-Version with 400, naming the versions it speaks', async () => {
    const unsupported = await rawUpgrade(server, `${root}/sessions/ws`, { 'Sec-WebSocket-Version': '99' });
    expectError(unsupported, 400, /unsupported \("99"\) Sec-WebSocket-Version.*speaks versions 13 and 8$/);
    expect(unsupported.headers['sec-websocket-version']).toBe('13, 8');
    // The message once said "version 13" alone, beside this header and an 8 that upgrades.
    expect((await rawUpgrade(server, `${root}/sessions/ws`, { 'Sec-WebSocket-Version': '8' })).status).toBe(101);
    expectError(
      await rawUpgrade(server, `${root}/sessions/ws`, { 'Sec-WebSocket-Version': undefined }),
      400,
      /missing Sec-WebSocket-Version/,
    );
  });

  it('answers an upgrade by another method than GET with 405 and Allow: GET', async () => {
    const answer = await rawUpgrade(server, `${root}/sessions/ws`, {}, 'POST');
    expectError(answer, 405, /must be a GET request, not "POST"/);
    expect(answer.headers['allow']).toBe('GET');
  });

  it('answers an upgrade to another protocol than websocket with 400', async () => {
    expectError(await rawUpgrade(server, `${root}/sessions/ws`, { Upgrade: 'h2c' }), 400, /"websocket" \(got "h2c"\)/);
  });

  // The pipeline read Upgrade as a list and answered 404 "no WebSocket" away from the WebSocket
  // path, where the handshake check (and `ws`) reads it whole: one reading now, ws's.
  it('reads an Upgrade listing websocket among others as no WebSocket handshake, at every path (400)', async () => {
    const upgrade = { Upgrade: 'h2c, websocket' };
    expectError(
      await rawUpgrade(server, `${root}/sessions/ws`, upgrade),
      400,
      /the Upgrade header must be "websocket" \(got "h2c, websocket"\)/,
    );
    expectError(
      await rawUpgrade(server, `${root}/sessions/nows`, upgrade),
      400,
      /^Upgrade "h2c, websocket" is not supported: .*Upgrade: websocket alone/,
    );
    expect((await rawUpgrade(server, `${root}/sessions/ws`, { Upgrade: 'WebSocket' })).status).toBe(101);
  });

  it('answers a malformed Sec-WebSocket-Protocol (refused by ws itself) with 400 in the error shape', async () => {
    expectError(
      await rawUpgrade(server, `${root}/sessions/ws`, { 'Sec-WebSocket-Protocol': 'a b' }),
      400,
      /Sec-WebSocket-Protocol/,
    );
  });

  it('upgrades /sessions/ws with a trailing slash or in any case, as a plain HTTP request there is routed (426)', async () => {
    for (const path of ['/sessions/ws/', '/sessions/WS', '/Sessions/Ws/', '/sessions/ws/?x=1']) {
      expect([path, (await rawUpgrade(server, `${root}${path}`)).status]).toEqual([path, 101]);
      expect([path, (await fetch(`${server.url}${path}`)).status]).toEqual([path, 426]);
    }
    const client = new WsTestClient(`${server.wsUrl}/sessions/WS/`);
    await client.until((frames) => frames.some((frame) => frame.event === 'sessions'));
    client.ws.close();
  });

  it('answers a plain request with 426 naming the upgrade in Upgrade and Connection, keeping the connection as asked', async () => {
    const kept = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${server.url}/sessions/ws`, { agent: new Agent({ keepAlive: true }) }, resolve).on('error', reject),
    );
    kept.resume();
    expect([kept.statusCode, kept.headers['upgrade'], kept.headers['connection']]).toEqual([
      426,
      'websocket',
      'Upgrade, keep-alive',
    ]);
    kept.socket.destroy();
    const { host } = new URL(server.url);
    const closed = await rawExchange(server, `GET ${root}/sessions/ws HTTP/1.1\r\nHost: ${host}\r\nConnection: close`);
    expect([closed.status, closed.headers['upgrade'], closed.headers['connection'], closed.closed]).toEqual([
      426,
      'websocket',
      'Upgrade, close',
      true,
    ]);
  });

  it('answers an upgrade to a path without a WebSocket with 404, naming where the WebSocket is', async () => {
    const paths = [
      '/sessions/nows',
      '/sessions/wsx',
      '/sessions/ws/x',
      '/sessions/5f1b2c3d4e5f6a7b8c9d0e1f',
      '/',
      '/nowhere?x=1',
    ];
    for (const path of paths) {
      const answer = await rawUpgrade(server, `${root}${path}`);
      expectError(
        answer,
        404,
        new RegExp(`no WebSocket at "${root}${path.split('?')[0]}"; connect to ${root}/sessions/ws$`),
      );
    }
  });

  it('reads dot segments as a plain request does: no WebSocket where a plain request finds no route', async () => {
    for (const path of ['/sessions/x/../ws', '/x/../sessions/ws', '/sessions/./ws', '/sessions/%2e%2e/sessions/ws']) {
      // Written byte for byte: a URL parser (fetch's too) would resolve the dot segments first.
      const plain = await rawExchange(server, `GET ${root}${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close`);
      expect([path, plain.status]).toEqual([path, 404]);
      expectError(await rawUpgrade(server, `${root}${path}`), 404, /^no WebSocket at /);
    }
  });

  it("refuses a browser page of another site (its Origin) with 403, and takes its own host's pages and clients without an Origin", async () => {
    const { host } = new URL(server.url);
    const port = Number(new URL(server.url).port);
    const refused = await rawUpgrade(server, `${root}/sessions/ws`, { Origin: 'https://evil.example' });
    expectError(refused, 403, /a page of "https:\/\/evil\.example" may not open this WebSocket.*CORS_ORIGINS/);
    // Another port of the same host is another site too.
    expectError(
      await rawUpgrade(server, `${root}/sessions/ws`, { Origin: `http://127.0.0.1:${port + 1}` }),
      403,
      /may not/,
    );
    expectError(await rawUpgrade(server, `${root}/sessions/ws`, { Origin: 'null' }), 403, /may not/);
    expect((await rawUpgrade(server, `${root}/sessions/ws`, { Origin: `http://${host}` })).status).toBe(101);
    expect((await rawUpgrade(server, `${root}/sessions/ws`, { Origin: `HTTP://${host.toUpperCase()}` })).status).toBe(
      101,
    );
    expect((await rawUpgrade(server, `${root}/sessions/ws`)).status).toBe(101);
    // Behind a proxy that passes the host without its port (nginx's `Host $host`), the name alone.
    const proxied = { Host: '127.0.0.1', Origin: 'https://127.0.0.1:8443' };
    expect((await rawUpgrade(server, `${root}/sessions/ws`, proxied)).status).toBe(101);
    const elsewhere = { Host: '127.0.0.1', Origin: 'https://zen.example' };
    expectError(await rawUpgrade(server, `${root}/sessions/ws`, elsewhere), 403, /may not/);
  });

  it('keeps serving HTTP and WebSocket clients after refusals', async () => {
    expect((await fetch(`${server.url}/sessions/`)).status).toBe(200);
    expect((await rawUpgrade(server, `${root}/sessions/ws`)).status).toBe(101);
  });
});

describe('WebSocket upgrade requests under BASE_PATH', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp({ BASE_PATH: '/zen' })));
  afterAll(() => server.close());

  it('upgrades at BASE_PATH/sessions/ws and answers the path without the prefix with 404 naming it', async () => {
    expect((await rawUpgrade(server, '/zen/sessions/ws')).status).toBe(101);
    expect((await rawUpgrade(server, '/zen/sessions/ws/')).status).toBe(101);
    expect((await rawUpgrade(server, '/ZEN/Sessions/WS')).status).toBe(101);
    expectError(await rawUpgrade(server, '/zen/sessions/wsx'), 404, /no WebSocket at "\/zen\/sessions\/wsx"/);
    expectError(
      await rawUpgrade(server, '/sessions/ws'),
      404,
      /no WebSocket at "\/sessions\/ws"; connect to \/zen\/sessions\/ws/,
    );
  });
});

describe('WebSocket upgrade requests with AUTH_READ_TOKEN', () => {
  const TOKEN = 'read-token-789';
  let server: RunningApp;
  beforeAll(async () => (server = await startApp({ AUTH_READ_TOKEN: TOKEN })));
  afterAll(() => server.close());

  it('answers an upgrade without the token with 401 in the error shape, asking for a bearer token', async () => {
    const answer = await rawUpgrade(server, '/sessions/ws');
    expectError(answer, 401, /needs a valid token/);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect((await rawUpgrade(server, '/sessions/ws', { Authorization: `Bearer ${TOKEN}` })).status).toBe(101);
    expect((await rawUpgrade(server, `/sessions/ws?access_token=${TOKEN}`)).status).toBe(101);
    // Another spelling of the path is the same route, with the same access.
    expectError(await rawUpgrade(server, '/sessions/WS/'), 401, /needs a valid token/);
    expect((await rawUpgrade(server, `/sessions/WS/?access_token=${TOKEN}`)).status).toBe(101);
  });

  it('checks the handshake and the path before the token', async () => {
    expectError(await rawUpgrade(server, '/sessions/nows'), 404, /no WebSocket/);
    expectError(await rawUpgrade(server, '/sessions/ws', {}, 'POST'), 405, /GET/);
  });
});

describe('WebSocket upgrades from pages of the origins CORS_ORIGINS names', () => {
  it('takes a page of a named origin, refuses one of another, and takes any with *', async () => {
    for (const [origins, allowed, refused] of [
      ['https://dash.example', ['https://dash.example'], ['https://evil.example']],
      ['*', ['https://dash.example', 'https://evil.example'], []],
    ] as const) {
      const server = await startApp({ CORS_ORIGINS: origins });
      try {
        for (const origin of allowed) {
          expect((await rawUpgrade(server, '/sessions/ws', { Origin: origin })).status).toBe(101);
        }
        for (const origin of refused)
          expectError(await rawUpgrade(server, '/sessions/ws', { Origin: origin }), 403, /may not/);
      } finally {
        await server.close();
      }
    }
  });
});
