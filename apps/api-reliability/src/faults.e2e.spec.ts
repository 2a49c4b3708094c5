import { connect } from 'node:net';
import { request } from 'node:http';
import { BuiltServer, eventually, JSON_HEADERS, oid, RedisServer } from '@zen/testing';

describe('faults (real server)', () => {
  it('survives a client that disconnects mid-upload, appending nothing', async () => {
    const server = await BuiltServer.start();
    try {
      const id = oid(0x1f1);
      await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"f"}' });
      await new Promise<void>((resolve) => {
        const req = request(`${server.url}/sessions/${id}/log`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'content-length': 500_000 },
          agent: false,
        });
        req.on('error', () => resolve());
        req.write('half a line\n'.repeat(10_000));
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.alive).toBe(true);
      expect((await (await fetch(`${server.url}/sessions/${id}`)).json()).logCursor).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('survives a request aborted mid-response', async () => {
    const server = await BuiltServer.start({ LOG_CAPACITY: '10000' });
    try {
      const id = oid(0x1f2);
      await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"f"}' });
      const body = Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'x'.repeat(80)}`).join('\n');
      await fetch(`${server.url}/sessions/${id}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
      });
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve) => {
          const req = request(`${server.url}/sessions/${id}/log?format=text&limit=10000`, { agent: false }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', () => resolve());
          req.end();
        });
      }
      expect(server.alive).toBe(true);
      expect((await fetch(`${server.url}/sessions/${id}/log?limit=1`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('turns away connections beyond MAX_CONNECTIONS and keeps serving', async () => {
    const server = await BuiltServer.start({ MAX_CONNECTIONS: '50' });
    try {
      const port = Number(new URL(server.url).port);
      const sockets = await Promise.all(
        Array.from(
          { length: 300 },
          () =>
            new Promise<ReturnType<typeof connect>>((resolve) => {
              const socket = connect(port, '127.0.0.1', () => resolve(socket));
              socket.on('error', () => resolve(socket));
            }),
        ),
      );
      // The kernel completes every handshake; the server then closes each one beyond the
      // limit at once. Poll (a busy machine may take a while) until at most 50 remain.
      const stillOpen = () => sockets.filter((socket) => !socket.destroyed && socket.readyState === 'open').length;
      await eventually(() => expect(stillOpen()).toBeLessThanOrEqual(50), 10_000);
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.alive).toBe(true);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect(server.output).not.toMatch(/Unhandled|ERROR/);
    } finally {
      await server.stop();
    }
  });

  it('shuts down gracefully under load: every append gets a whole answer or a connection error, and the exit is clean', async () => {
    const server = await BuiltServer.start({ SHUTDOWN_TIMEOUT_MS: '5000' });
    const id = oid(0x1f3);
    await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"f"}' });
    const outcomes: string[] = [];
    let stop = false;
    const workers = Array.from({ length: 8 }, () =>
      (async () => {
        while (!stop) {
          try {
            const res = await fetch(`${server.url}/sessions/${id}/log`, {
              method: 'POST',
              headers: { 'content-type': 'text/plain' },
              body: 'x\ny\nz',
            });
            const body = await res.json();
            outcomes.push(res.status === 200 && body.appended === 3 ? 'ok' : `bad ${res.status}`);
          } catch {
            outcomes.push('refused');
            stop = true;
          }
        }
      })(),
    );
    // Under load: appends answered, and more under way, as the signal comes.
    await eventually(() => outcomes.filter((outcome) => outcome === 'ok').length >= 8, 20_000, 'appends answered');
    const exit = server.stop('SIGTERM');
    const code = await exit;
    stop = true;
    await Promise.all(workers);
    expect(code).toBe(0);
    expect(outcomes.filter((outcome) => outcome.startsWith('bad'))).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === 'ok').length).toBeGreaterThan(0);
    expect(server.output).toContain('Shutting down on SIGTERM');
    expect(server.output).toContain('Shutdown complete');
  });

  it('keeps running through a Redis outage while it expires idle sessions, and expires them once Redis is back', async () => {
    const redis = await RedisServer.start();
    const server = await BuiltServer.start({
      LOG_STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: '300',
      SESSIONS_TIMEOUT_S: '2',
    });
    try {
      const id = oid(0x1d1e);
      const created = await fetch(`${server.url}/sessions/${id}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"idle"}',
      });
      expect(created.status).toBe(201);
      await redis.stop();
      // Sweeps run every 500 ms: each one fails while Redis is away. A failed sweep once
      // killed the process (an unhandled rejection in the liveness timer).
      await new Promise((resolve) => setTimeout(resolve, 4000));
      expect(server.alive).toBe(true);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/sessions/${id}`)).status).toBe(503);
      await redis.restart();
      await eventually(
        async () => (await (await fetch(`${server.url}/sessions/${id}`)).json()).endReason === 'expired',
        20_000,
        'the idle session expired once Redis is back',
      );
      expect(server.alive).toBe(true);
      expect(server.output).toContain('idle sessions cannot be expired for now');
    } finally {
      await server.stop();
      await redis.close();
    }
  }, 60_000);
});
