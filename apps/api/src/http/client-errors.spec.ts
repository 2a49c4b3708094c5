import { createServer, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { HANDSHAKE, RawAnswer, rawExchange } from '../testing/raw-socket';
import { RunningApp, startApp } from '../testing/running-app';
import { answerClientErrors } from './client-errors';
import { RouteTable } from './route-table';

/** What the server wrote on a fresh connection after `head` (sent as is), once it closed it or `wait` ms passed. */
function exchange(server: Server, head: string, wait = 5_000): Promise<{ status: number; head: string; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let received = '';
    const done = () => {
      socket.destroy();
      const end = received.indexOf('\r\n\r\n');
      resolve({
        status: Number(received.split(' ')[1]),
        head: received.slice(0, end),
        body: received.slice(end + 4),
      });
    };
    const timer = setTimeout(done, wait);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(received.slice(0, end));
      if (end !== -1 && length && received.length - end - 4 >= Number(length[1])) {
        clearTimeout(timer);
        done();
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
  });
}

describe('answerClientErrors', () => {
  let server: Server;
  let requests = 0;

  beforeAll(async () => {
    // Short timeouts, so that a request that never completes is refused within the test.
    server = createServer({ headersTimeout: 300, requestTimeout: 300, connectionsCheckingInterval: 50 }, (req, res) => {
      requests++;
      // As the routes do: the answer waits for the whole body.
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    answerClientErrors(server, new RouteTable());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers a request whose headers did not arrive in time 408, in the error shape', async () => {
    const answer = await exchange(server, 'GET /sessions/ HTTP/1.1\r\nHost: x\r\n');
    expect(answer.status).toBe(408);
    expect(answer.head).toMatch(/\r\ncontent-type: application\/json; charset=utf-8/i);
    expect(JSON.parse(answer.body)).toEqual({
      statusCode: 408,
      error: 'Request Timeout',
      message: expect.stringContaining('in time'),
    });
  });

  it('answers a request whose body stopped coming 408 in the error shape, and closes the connection', async () => {
    const answer = await exchange(server, 'POST /sessions/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab');
    expect(answer.status).toBe(408);
    expect(answer.head).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 408, error: 'Request Timeout' });
  });

  it('answers an Expect other than 100-continue 417 in the error shape, with the security headers', async () => {
    const before = requests;
    const answer = await exchange(
      server,
      'POST /sessions/ HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nContent-Length: 0\r\n\r\n',
    );
    expect(answer.status).toBe(417);
    expect(answer.head).toMatch(/\r\nx-content-type-options: nosniff/i);
    expect(JSON.parse(answer.body)).toEqual({
      statusCode: 417,
      error: 'Expectation Failed',
      message: expect.stringContaining('"tea"'),
    });
    expect(requests).toBe(before); // never handed to the routes
  });

  it('still answers a malformed request 400 and an oversized one 431', async () => {
    expect((await exchange(server, 'GET / HTTP/1.1\r\nBad Header\r\n\r\n')).status).toBe(400);
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect((await exchange(server, big)).status).toBe(431);
  });
});

describe('the Host header, in the running app', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp()));
  afterAll(() => server.close());

  /** The answer must be one of a malformed request: the error shape, the API's headers, the connection closed. */
  function expectMalformed(answer: RawAnswer, message: string): void {
    expect([answer.status, answer.closed]).toEqual([400, true]);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining(message),
    });
  }

  // Found by the audit: Node's own check answered a bare 400 with an empty chunked body.
  it('answers an HTTP/1.1 request without Host 400 in the error shape, with the security headers', async () => {
    expectMalformed(await rawExchange(server, 'GET /health HTTP/1.1'), 'needs a Host header');
    const upgrade = Object.entries(HANDSHAKE).map(([name, value]) => `${name}: ${value}`);
    expectMalformed(await rawExchange(server, ['GET /sessions/ws HTTP/1.1', ...upgrade].join('\r\n')), 'needs a Host');
  });

  it('answers a request with two Host headers 400 (RFC 9112 §3.2)', async () => {
    expectMalformed(await rawExchange(server, 'GET /health HTTP/1.1\r\nHost: a\r\nhost: b'), 'more than one Host');
    expectMalformed(await rawExchange(server, 'GET /health HTTP/1.0\r\nHost: a\r\nHOST: a'), 'more than one Host');
  });

  it('serves an HTTP/1.0 request without Host, and one Host in any case', async () => {
    expect((await rawExchange(server, 'GET /health HTTP/1.0')).status).toBe(200);
    expect((await rawExchange(server, 'GET /health HTTP/1.1\r\nhOsT: x\r\nConnection: close')).status).toBe(200);
  });
});
