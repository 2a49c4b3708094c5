import { eventually, pausedDownload } from '@zen/testing';
import { Server } from 'node:http';
import { connect, Socket } from 'node:net';
import WebSocket from 'ws';
import { RunningApp, startApp } from '../testing/running-app';
import { ShutdownService } from './shutdown.service';

describe('health and shutdown', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp()));
  afterAll(() => server.close());

  it('answers liveness and readiness with status ok', async () => {
    const live = await fetch(`${server.url}/health`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      details: { sessions: { status: 'up' }, lifecycle: { status: 'up' } },
    });
  });
});

describe('graceful shutdown', () => {
  it('closes WebSocket clients with 1001 and stops accepting connections', async () => {
    const server = await startApp();
    const ws = new WebSocket(`${server.wsUrl}/sessions/ws`);
    await new Promise((resolve) => ws.once('message', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await server.close();
    expect(await closed).toBe(1001);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('answers a request in flight at the signal with Connection: close, so a keep-alive client cannot hold the process open', async () => {
    const server = await startApp();
    const id = 'aa0d5e55a0d5e55a0d5e55a0';
    const created = await fetch(`${server.url}/sessions/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"appname":"audit-ops-shutdown"}',
    });
    expect(created.status).toBe(201);
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // The append's head, and part of its body: in flight until the rest comes.
    const body = 'one\ntwo\n';
    const arrived = new Promise((resolve) => (server.app.getHttpServer() as Server).once('request', resolve));
    socket.write(
      `POST /sessions/${id}/log HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 4)}`,
    );
    await arrived;
    const closing = server.close();
    await eventually(() => server.app.get(ShutdownService).shuttingDown, 20_000, 'the shutdown to start');
    socket.write(body.slice(4));
    await closed;
    const head = received.slice(0, received.indexOf('\r\n\r\n')).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 200 /);
    expect(head.split('\r\n')).toContain('connection: close');
    expect(received).toContain('{"appended":2,"cursor":2}');
    await closing;
  });
});

describe('graceful shutdown of kept-alive connections', () => {
  // Found by the operations audit: two replicas behind deploy/scale-out's nginx (which keeps
  // connections to them open), one stopped under load: nginx sent appends on connections the
  // server was closing as idle, got them reset, and answered 502 (it does not repeat a POST).
  /**
   * A started app and a raw connection to it that has had one `/health` answered and is kept
   * alive: idle, as a proxy's pooled connection is between requests. `received` is what comes next.
   */
  async function idleKeptAlive() {
    const server = await startApp();
    const httpServer = server.app.getHttpServer() as Server;
    const { hostname, port, pathname } = new URL(server.url);
    const connection = { server, httpServer, socket: connect(Number(port), hostname), received: '' };
    connection.socket.on('data', (chunk: Buffer) => (connection.received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
    const root = pathname.replace(/\/$/, '');
    const host = `${hostname}:${port}`;
    const probe = `GET ${root}/health HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    connection.socket.write(probe);
    await eventually(() => /\r\n\r\n\{.*\}$/s.test(connection.received), 20_000, 'the first answer');
    expect(connection.received).toMatch(/\r\nConnection: keep-alive\r\n/i);
    connection.received = '';
    // The object the data handler fills, not a copy of it.
    return Object.assign(connection, { closed, root, host, probe });
  }

  it('answers a request that comes on an idle kept-alive connection just after the signal, with Connection: close', async () => {
    const connection = await idleKeptAlive();
    const closing = connection.server.close();
    await eventually(() => !connection.httpServer.listening, 20_000, 'the server to stop listening');
    connection.socket.write(connection.probe);
    await connection.closed;
    const received = connection.received;
    const head = received.slice(0, received.indexOf('\r\n\r\n')).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 200 /);
    expect(head.split('\r\n')).toContain('connection: close');
    await closing;
  });

  it('refuses a WebSocket upgrade that comes on such a connection with 503 in the error shape, not a 500', async () => {
    const connection = await idleKeptAlive();
    const closing = connection.server.close();
    await eventually(() => !connection.httpServer.listening, 20_000, 'the server to stop listening');
    connection.socket.write(
      `GET ${connection.root}/sessions/ws HTTP/1.1\r\nHost: ${connection.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await connection.closed;
    const received = connection.received;
    const end = received.indexOf('\r\n\r\n');
    expect(received.slice(0, end)).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(received.slice(end + 4))).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the server is shutting down: connect to another replica, or again once it has restarted',
    });
    await closing;
  });
});

describe('health while shutting down', () => {
  it('answers liveness 200 and readiness 503 naming the shutdown, to a probe already under way at the signal', async () => {
    const server = await startApp();
    const httpServer = server.app.getHttpServer() as Server;
    const { hostname, port } = new URL(server.url);
    // Two probes whose heads are half sent: open connections that are not idle, so the
    // server answers them once their heads are complete, after the signal.
    const probe = async (path: string) => {
      const accepted = new Promise<Socket>((resolve) => httpServer.once('connection', resolve));
      const socket = connect(Number(port), hostname);
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write(
        `GET ${new URL(server.url).pathname.replace(/\/$/, '')}${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`,
      );
      const serverSide = await accepted;
      await eventually(() => serverSide.bytesRead > 0, 20_000, 'the half head to be read');
      return {
        finish: async () => {
          socket.write('\r\n');
          await closed;
          const end = received.indexOf('\r\n\r\n');
          return { status: Number(received.split(' ')[1]), body: JSON.parse(received.slice(end + 4)) };
        },
      };
    };
    const live = await probe('/health');
    const ready = await probe('/health/ready');
    const closing = server.close();
    await eventually(() => server.app.get(ShutdownService).shuttingDown, 20_000, 'the shutdown to start');
    expect(await live.finish()).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'ok' }),
    });
    expect(await ready.finish()).toEqual({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', message: 'not ready: lifecycle: shutting down' },
    });
    await closing;
  });
});

describe('graceful shutdown of an answer still going out', () => {
  it('lets a client that reads slowly have the whole of a large download answered before the signal', async () => {
    const server = await startApp({ MAX_BODY_BYTES: String(32 * 1024 * 1024) });
    const id = 'aa0d5e55a0d5e55a0d5e55a1';
    await fetch(`${server.url}/sessions/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"appname":"audit-ops-download"}',
    });
    // 20 MB of log: more than the sockets' buffers hold, so most of it waits on the reader.
    const appended = await fetch(`${server.url}/sessions/${id}/log`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: `${'x'.repeat(20_000)}\n`.repeat(1000),
    });
    expect(appended.status).toBe(200);
    let closing: Promise<void> | undefined;
    const answer = await pausedDownload(`${server.url}/sessions/${id}/log?format=text&limit=1000`, async () => {
      closing = server.close();
      await eventually(() => server.app.get(ShutdownService).shuttingDown, 20_000, 'the shutdown to start');
    });
    expect(answer).toMatchObject({ status: 200, whole: true });
    expect(answer.declaredLength).toBeGreaterThan(20_000_000);
    await closing;
  });
});

describe('the shutdown watchdog', () => {
  it('ends with the shutdown it guards: a closed app never exits the process later', async () => {
    // Calls once the app is closed: a shutdown slower than its 100 ms (a busy machine, Redis to
    // quit) has the watchdog fire during it, which is its job and not what this test is about.
    let closed = false;
    const exitsAfterClose: unknown[] = [];
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      if (closed) exitsAfterClose.push(code);
      return undefined as never;
    });
    try {
      const server = await startApp({ SHUTDOWN_TIMEOUT_MS: '100' });
      await server.close();
      closed = true;
      // Well past the timeout: an armed watchdog would have called process.exit(1) by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(exitsAfterClose).toEqual([]);
    } finally {
      exit.mockRestore();
    }
  });
});
