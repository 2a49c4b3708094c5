import { connect } from 'node:net';
import { HttpPipeline } from './http-pipeline';
import { rawExchange } from '../testing/raw-socket';
import { RunningApp, startApp } from '../testing/running-app';

/**
 * Found by the HTTP audit (raw sockets against the built server): requests at the edges of
 * HTTP/1.1 that a client sends in good faith, answered as the contract wants.
 */

const oid = () => [...crypto.getRandomValues(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Everything the server wrote after `parts` (written one after the other), once `done` says so or it closed. */
function converse(
  server: RunningApp,
  parts: string[],
  done: (received: string) => boolean,
): Promise<{ received: string; closed: boolean }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setTimeout(20_000, () =>
      socket.destroy(new Error(`no answer within 20 s; got ${JSON.stringify(received)}`)),
    );
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (done(received)) {
        socket.destroy();
        resolve({ received, closed: false });
      }
    });
    socket.on('close', () => resolve({ received, closed: true }));
    for (const part of parts) socket.write(part);
  });
}

function bodyOf(received: string): unknown {
  return JSON.parse(received.slice(received.lastIndexOf('\r\n\r\n') + 4));
}

describe('HTTP/1.1 at its edges, in the running app', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp({ MAX_BODY_BYTES: '1024' })));
  afterAll(() => server.close());

  const status = async (id: string) => (await fetch(`${server.url}/sessions/${id}`)).status;

  it('answers a chunked body with a malformed chunk size 400 at once, naming it, and creates nothing', async () => {
    const id = oid();
    const answer = await rawExchange(
      server,
      `POST /sessions/${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"appname":"a"}\r\n0\r\n`,
    );
    expect([answer.status, answer.closed]).toEqual([400, true]);
    expect(JSON.parse(answer.body)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'malformed HTTP request (HPE_INVALID_CHUNK_SIZE)',
    });
    expect(await status(id)).toBe(404);
  });

  it('answers a malformed chunk in the middle of a log append 400, and appends nothing', async () => {
    const id = oid();
    await fetch(`${server.url}/sessions/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"appname":"a"}',
    });
    const answer = await rawExchange(
      server,
      `POST /sessions/${id}/log HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n2\r\na\n\r\n2x\r\nb\n\r\n0\r\n`,
    );
    expect([answer.status, answer.closed]).toEqual([400, true]);
    expect(JSON.parse(answer.body)).toMatchObject({ message: expect.stringContaining('HPE_') });
    const log = await (await fetch(`${server.url}/sessions/${id}/log`)).json();
    expect(log).toMatchObject({ entries: [], cursor: 0 });
  });

  it('answers Expect: 100-continue with a Content-Length over MAX_BODY_BYTES 413 without 100 Continue, and closes', async () => {
    const id = oid();
    const { received, closed } = await converse(
      server,
      [
        `POST /sessions/${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n`,
      ],
      () => false,
    );
    expect(closed).toBe(true);
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received).toMatch(/\r\nConnection: close\r\n/i);
    expect(bodyOf(received)).toMatchObject({ statusCode: 413, message: expect.stringContaining('MAX_BODY_BYTES') });
    expect(await status(id)).toBe(404);
  });

  it('answers Expect: 100-continue with a bad id 400 without 100 Continue (the id comes before the body), and closes', async () => {
    const { received, closed } = await converse(
      server,
      [
        `POST /sessions/nope/log HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n`,
      ],
      () => false,
    );
    expect(closed).toBe(true);
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(received)).toMatchObject({ statusCode: 400, message: expect.stringContaining('"nope"') });
  });

  it('sends 100 Continue when the body is wanted, then reads it', async () => {
    const id = oid();
    const head = `POST /sessions/${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\nExpect: 100-continue\r\n\r\n`;
    const { hostname, port } = new URL(server.url);
    const received = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(head));
      let got = '';
      socket.setTimeout(20_000, () => socket.destroy(new Error(`no answer within 20 s; got ${JSON.stringify(got)}`)));
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
        if (got === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('{"appname":"a"}');
        if (/\r\n\r\n\{.*\}$/.test(got)) {
          socket.destroy();
          resolve(got);
        }
      });
    });
    expect(received).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
    expect(bodyOf(received)).toMatchObject({ id, appname: 'a' });
  });

  // curl --http2 on an http:// URL sends `Upgrade: h2c`: every route answered 404 "no WebSocket".
  it('answers an Upgrade to another protocol than WebSocket 400, saying to send it without Upgrade', async () => {
    const h2c = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA';
    const health = await rawExchange(server, `GET /health HTTP/1.1\r\nHost: x\r\n${h2c}`);
    expect([health.status, health.closed]).toEqual([400, true]);
    expect(JSON.parse(health.body)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringMatching(/^Upgrade "h2c" is not supported: .*send the request without Upgrade/),
    });
    const id = oid();
    const body = '{"appname":"over h2c"}';
    const create = await rawExchange(
      server,
      `POST /sessions/${id} HTTP/1.1\r\nHost: x\r\n${h2c}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(create.status).toBe(400);
    // Refused, so nothing created.
    expect((await fetch(`${server.url}/sessions/${id}`)).status).toBe(404);
  });

  it('answers CONNECT 405 in the error shape instead of cutting the connection', async () => {
    const answer = await rawExchange(server, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443');
    expect([answer.status, answer.closed]).toEqual([405, true]);
    expect(JSON.parse(answer.body)).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      message: expect.stringContaining('not a proxy'),
    });
  });

  // Its Allow was a hand-written list, apart from the routes that say which methods each path takes.
  it("names in CONNECT's Allow exactly the methods the routes' 405s name, together", async () => {
    const named = new Set<string>();
    for (const route of server.app.get(HttpPipeline).routes.list()) {
      if (route.webSocket) continue;
      // A path the route serves: its parameters filled in, its optional parts left out.
      const path = route.path.replace(/:\w+/g, oid()).replace(/\{[^}]*\}/g, '') || '/';
      const answer = await rawExchange(server, `TRACE ${path} HTTP/1.1\r\nHost: x\r\nConnection: close`);
      expect([path, answer.status]).toEqual([path, 405]);
      for (const method of answer.headers['allow'].split(', ')) named.add(method);
    }
    const connect = await rawExchange(server, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443');
    expect(connect.headers['allow'].split(', ').sort()).toEqual([...named].sort());
  });
});
