import { spawn } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { eventually } from '@zen/testing';
import { CLOSE_GRACE_MS, nodeWebSocketFactory, nodeWebSocketFactoryWith } from './node-websocket';
import { WS_OPEN } from './websocket';

describe('nodeWebSocketFactory', () => {
  // Found by the tail audit: `ws` waits 30 s for the closing frame, holding the process open.
  it('drops a socket whose server never answers its close within CLOSE_GRACE_MS, not 30 s', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    // A server gone quiet: it takes the connection, then reads nothing more (no closing frame back).
    server.on('connection', (_socket, request) => request.socket.pause());
    await new Promise((listening) => server.once('listening', listening));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = nodeWebSocketFactory(`ws://127.0.0.1:${port}`);
      let closedAt = 0;
      socket.onclose = () => (closedAt = Date.now());
      await eventually(() => socket.readyState === WS_OPEN);
      const closing = Date.now();
      socket.close(1000);
      await eventually(() => closedAt > 0, 10_000, 'the close');
      expect(closedAt - closing).toBeGreaterThanOrEqual(CLOSE_GRACE_MS - 50);
      expect(closedAt - closing).toBeLessThan(CLOSE_GRACE_MS + 4_000);
    } finally {
      for (const client of server.clients) client.terminate();
      await new Promise((closed) => server.close(closed));
    }
  });
});

describe('nodeWebSocketFactory credentials', () => {
  it('sends a user and password given in the URL as Basic auth, decoded as the HTTP requests send them; a token wins', async () => {
    const seen: (string | undefined)[] = [];
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (_socket, request) => seen.push(request.headers.authorization));
    await new Promise((listening) => server.once('listening', listening));
    try {
      const { port } = server.address() as AddressInfo;
      const sockets = [
        nodeWebSocketFactory(`ws://ci:s3cr%40t@127.0.0.1:${port}/sessions/ws`),
        nodeWebSocketFactory(`ws://ci:s3cr%40t@127.0.0.1:${port}/sessions/ws`, 'read-token-1'),
      ];
      // Open at the client too: the server sees a connection before its 101 reaches the client, and
      // a socket closed before then errs (no onerror here, as the live client sets), failing the test
      // on a busy machine.
      await eventually(
        () => seen.length === 2 && sockets.every((socket) => socket.readyState === WS_OPEN),
        10_000,
        'both connections',
      );
      expect(seen.sort()).toEqual([`Basic ${Buffer.from('ci:s3cr@t').toString('base64')}`, 'Bearer read-token-1']);
      for (const socket of sockets) socket.close(1000);
    } finally {
      for (const client of server.clients) client.terminate();
      await new Promise((closed) => server.close(closed));
    }
  });
});

describe('nodeWebSocketFactory keepalive', () => {
  // The same sockets as nodeWebSocketFactory's (KEEPALIVE_MS), checked more often: the test's time.
  const KEEPALIVE_MS = 2_000;
  const factory = nodeWebSocketFactoryWith(KEEPALIVE_MS);

  // Found by the CLI audit: a connection whose server went away without closing it (a machine
  // powered off, a network cut, a proxy that drops it silently) stayed open for good, so the live
  // client never reconnected and `tail -f` printed nothing more, saying nothing.
  it('closes a connection that answers nothing, not even a ping, within two KEEPALIVE_MS', async () => {
    // Longer than the others' keepalive: a drop a keepalive late stands out from a busy machine's late timers.
    const keepaliveMs = 3_000;
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    let connected = false;
    server.on('connection', (_socket, request) => {
      connected = true;
      // Open, then gone dark: nothing is read any more, so no pong ever comes back.
      request.socket.pause();
    });
    await new Promise((listening) => server.once('listening', listening));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = nodeWebSocketFactoryWith(keepaliveMs)(`ws://127.0.0.1:${port}`);
      let closedAt = 0;
      socket.onclose = () => (closedAt = Date.now());
      await eventually(() => socket.readyState === WS_OPEN && connected);
      const opened = Date.now();
      await eventually(() => closedAt > 0, 3 * keepaliveMs + 5_000, 'the close of a dark connection');
      // Pinged after a keepalive of silence (checked every half), dropped half of one later
      // unanswered: between 1.5 and 2 keepalives. A socket that waited two keepalives for its pong
      // drops it at three at the earliest: the bound leaves a busy machine's late timers the rest.
      expect(closedAt - opened).toBeGreaterThanOrEqual(keepaliveMs - 50);
      expect(closedAt - opened).toBeLessThan(3 * keepaliveMs - 500);
    } finally {
      for (const client of server.clients) client.terminate();
      await new Promise((closed) => server.close(closed));
    }
  }, 30_000);

  it('keeps a quiet connection whose server answers pings', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((listening) => server.once('listening', listening));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = factory(`ws://127.0.0.1:${port}`);
      let closed = false;
      socket.onclose = () => (closed = true);
      await eventually(() => socket.readyState === WS_OPEN);
      await new Promise((done) => setTimeout(done, 2 * KEEPALIVE_MS + 1_000));
      expect(closed).toBe(false);
      socket.close(1000);
    } finally {
      for (const client of server.clients) client.terminate();
      await new Promise((closed) => server.close(closed));
    }
  }, 20_000);

  it('keeps a connection whose pong came while its own event loop was held up', async () => {
    // Found by review: after a stall (a `tail -f | less` whose stdout pipe blocks the process), the
    // check ran before the pong waiting in the socket was read, and dropped a healthy connection.
    // The server runs in another process, so that it answers while this one is held up.
    const server = spawn(
      process.execPath,
      [
        '-e',
        `const s = new (require('ws').WebSocketServer)({ host: '127.0.0.1', port: 0 }); s.on('listening', () => process.stdout.write(s.address().port + '\\n'));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const port = await new Promise<number>((done) =>
        server.stdout.once('data', (data) => done(Number(/\d+/.exec(String(data))?.[0]))),
      );
      const socket = factory(`ws://127.0.0.1:${port}`);
      let closed = false;
      socket.onclose = () => (closed = true);
      await new Promise<void>((opened) => {
        socket.onopen = () => {
          // Held up from just after the socket's first ping (its check's period, set after it),
          // in the check phase, as a blocking write in an I/O callback would be: the pong comes
          // back meanwhile, and the next phase to run is the timers', with the socket unread.
          setTimeout(
            () =>
              setImmediate(() => {
                const until = Date.now() + 2 * KEEPALIVE_MS + 500;
                while (Date.now() < until);
              }),
            KEEPALIVE_MS,
          );
          opened();
        };
      });
      await new Promise((done) => setTimeout(done, 3 * KEEPALIVE_MS + 1_000));
      expect(closed).toBe(false);
      socket.close(1000);
    } finally {
      server.kill();
    }
  }, 30_000);
});
