import { BuiltServer, JSON_HEADERS, oid, WsTestClient } from '@zen/testing';

describe('slow and dead WebSocket consumers (real server)', () => {
  it('keeps server memory bounded while a paused client falls behind, and serves the others', async () => {
    const server = await BuiltServer.start({
      WS_MAX_BUFFERED_BYTES: String(1024 * 1024),
      LOG_CAPACITY: '2000',
      SESSIONS_WS_INTERVAL_MS: '100',
      WS_LOG_CHUNK: '100',
    });
    try {
      const id = oid(0xd1);
      await fetch(`${server.url}/sessions/${id}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"slow"}',
      });
      const slow = new WsTestClient(`${server.wsUrl}/sessions/ws`);
      const fast = new WsTestClient(`${server.wsUrl}/sessions/ws`);
      await Promise.all([slow.opened(), fast.opened()]);
      slow.send('subscribe-log', { id, cursor: 0 });
      fast.send('subscribe-log', { id, cursor: 0 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const rssBefore = server.rss();
      // 300 MB of log lines while the slow client reads nothing, in three rounds.
      const line = 'z'.repeat(10_000);
      const body = Array.from({ length: 100 }, () => line).join('\n');
      const peaks = [0, 0, 0];
      for (let i = 0; i < 300; i++) {
        await fetch(`${server.url}/sessions/${id}/log`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body,
        });
        if (i % 10 === 0) peaks[Math.floor(i / 100)] = Math.max(peaks[Math.floor(i / 100)], server.rss());
      }
      await fast.until(() => fast.of('log').at(-1)?.cursor === 30_000, 30_000);
      // The log holds 2,000 lines (20 MB) and the slow client may cost ~1 MB: memory levels
      // off after the first round instead of growing with the 100 MB each round adds.
      expect(peaks[2] - rssBefore).toBeLessThan(200 * 1024 * 1024);
      expect(peaks[2]).toBeLessThan(peaks[0] + 40 * 1024 * 1024);
      const fastSeqs = fast.of('log').flatMap((event) => event.entries.map((entry: { seq: number }) => entry.seq));
      expect(fastSeqs).toEqual(Array.from({ length: 30_000 }, (_, i) => i));
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await slow.until(() => slow.of('log').at(-1)?.cursor === 30_000, 30_000);
      const dropped = slow.of('log').reduce((sum, event) => sum + event.dropped, 0);
      const received = slow.of('log').reduce((sum, event) => sum + event.entries.length, 0);
      expect(dropped).toBeGreaterThan(0);
      expect(received + dropped).toBe(30_000);
      slow.ws.terminate();
      fast.ws.terminate();
    } finally {
      await server.stop();
    }
  });

  it('reaps a connection that stops answering pings, and keeps one that answers', async () => {
    const server = await BuiltServer.start({ WS_PING_INTERVAL_MS: '200' });
    try {
      const dead = new WsTestClient(`${server.wsUrl}/sessions/ws`, { autoPong: false });
      const alive = new WsTestClient(`${server.wsUrl}/sessions/ws`);
      await Promise.all([dead.opened(), alive.opened()]);
      await dead.until(() => dead.closeCode !== null, 3000);
      expect(dead.closeCode).toBe(1006);
      expect(alive.closeCode).toBeNull();
      alive.ws.terminate();
    } finally {
      await server.stop();
    }
  });
});
