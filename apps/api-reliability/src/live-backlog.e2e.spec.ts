import { BuiltServer, JSON_HEADERS, oid, WsTestClient } from '@zen/testing';

/**
 * A long `subscribe-log` backlog against the built server in its own process: a client there
 * reads as fast as the server writes, so the kernel takes every frame at once and the server's
 * queue never fills (in one process with the server, the client could not read meanwhile).
 */
describe('a long log backlog over WebSocket (real server)', () => {
  const id = oid(0xb1a);
  let server: BuiltServer;

  beforeAll(async () => {
    server = await BuiltServer.start({ WS_MAX_BUFFERED_BYTES: '65536', LOG_CAPACITY: '2000' });
    await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"long"}' });
    // 20 MB: hundreds of frames, more than loopback socket buffers hold.
    const line = 'z'.repeat(10_000);
    for (let i = 0; i < 20; i++) {
      const body = Array.from({ length: 100 }, () => line).join('\n');
      await fetch(`${server.url}/sessions/${id}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
      });
    }
  }, 30_000);
  afterAll(() => server.stop());

  const seqs = (client: WsTestClient) => client.of('log').flatMap((event) => event.entries.map((entry) => entry.seq));

  it('stops sending it once the client unsubscribes, instead of sending all of it first', async () => {
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.until((frames) => frames.length > 0);
    client.ws.once('message', () => client.send('unsubscribe-log', { id }));
    client.send('subscribe-log', { id, cursor: 0 });
    await client.until(() => seqs(client).length > 0);
    // Time for the rest of the 2000 to come, were it still sent.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // What was on its way when the unsubscribe arrived still comes; the rest of the 2000 does not.
    expect(seqs(client).length).toBeGreaterThan(0);
    expect(seqs(client).length).toBeLessThan(1000);
    client.ws.close();
  });

  it('answers other requests while it sends the backlog', async () => {
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.until((frames) => frames.length > 0);
    const started = Date.now();
    client.send('subscribe-log', { id, cursor: 0 });
    await client.until((frames) => frames.some((frame) => frame.event === 'log'));
    const probe = Date.now();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const probeMs = Date.now() - probe;
    await client.until(() => seqs(client).length === 2000, 10_000);
    // The probe waits for a frame or so, not for the whole backlog.
    expect(probeMs).toBeLessThan((Date.now() - started) / 2);
    client.ws.close();
  });
});
