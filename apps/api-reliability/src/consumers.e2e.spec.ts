import WebSocket from 'ws';
import { BuiltServer, eventually, JSON_HEADERS, oid, scrapeMetric, WsTestClient } from '@zen/testing';

const create = (server: BuiltServer, id: string, appname: string) =>
  fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ appname }) });

/** Appends `requests` text bodies of `perRequest` copies of `line`, one after another. */
async function appendLines(server: BuiltServer, id: string, line: string, perRequest: number, requests: number) {
  const body = Array.from({ length: perRequest }, () => line).join('\n');
  for (let i = 0; i < requests; i++) {
    await fetch(`${server.url}/sessions/${id}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });
  }
}

/** Bytes of frames queued to WebSocket clients and not yet written out (its metric). */
const queuedBytes = (server: BuiltServer) => scrapeMetric(server.url, 'zen_ws_queued_bytes');

/** The server's count of subscribe-log subscriptions (its metric). */
const subscriptions = (server: BuiltServer) => scrapeMetric(server.url, 'zen_ws_subscriptions');

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
      // Both subscribed before the first append (capacity 2,000): a later one starts with a gap.
      await eventually(async () => expect(await subscriptions(server)).toBe(2), 20_000, 'both subscriptions');
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

  it('sends a backlog of large entries in frames of about WS_MAX_BUFFERED_BYTES at most', async () => {
    const server = await BuiltServer.start({ WS_MAX_BUFFERED_BYTES: String(1024 * 1024) });
    try {
      const id = oid(0xd2);
      await create(server, id, 'big');
      // 300 entries of 60,000 characters: 18 MB, in one chunk of WS_LOG_CHUNK (1,000) entries before.
      await appendLines(server, id, 'y'.repeat(60_000), 15, 20);
      // A client that takes no message over 2 MiB (ws's own default is 100 MiB).
      const client = new WebSocket(`${server.wsUrl}/sessions/ws`, { maxPayload: 2 * 1024 * 1024 });
      const sizes: number[] = [];
      const seqs: number[] = [];
      let failure: Error | null = null;
      client.on('error', (error) => (failure = error));
      client.on('message', (raw: Buffer) => {
        const { event, data } = JSON.parse(raw.toString());
        if (event !== 'log') return;
        sizes.push(raw.length);
        seqs.push(...data.entries.map((entry: { seq: number }) => entry.seq));
      });
      await new Promise((resolve) => client.once('open', resolve));
      client.send(JSON.stringify({ event: 'subscribe-log', data: { id, cursor: 0 } }));
      await eventually(() => failure !== null || seqs.length === 300, 20_000, 'the whole backlog');
      expect(failure).toBeNull();
      expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(sizes.length).toBeGreaterThan(10);
      for (const size of sizes) expect(size).toBeLessThanOrEqual(1024 * 1024 + 61_000);
      client.terminate();
    } finally {
      await server.stop();
    }
  });

  it('tells a follower that is behind that its session was forgotten, once it reads again', async () => {
    const server = await BuiltServer.start({ WS_MAX_BUFFERED_BYTES: String(64 * 1024), SESSIONS_RETAIN_ENDED: '1' });
    try {
      const [id, other] = [oid(0xd3), oid(0xd4)];
      for (const each of [id, other]) await create(server, each, 'gone');
      await appendLines(server, id, 'x'.repeat(20_000), 40, 5);
      const behind = new WsTestClient(`${server.wsUrl}/sessions/ws`);
      await behind.opened();
      const socket = (behind.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      behind.send('subscribe-log', { id, cursor: 0 });
      // Subscribed (and sent what fills the buffers) before the session goes: else only refused as unknown.
      await eventually(async () => expect(await subscriptions(server)).toBe(1), 20_000, 'the subscription');
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Ended, then forgotten when another ends (a retention of 1).
      await fetch(`${server.url}/sessions/${id}`, { method: 'DELETE' });
      await fetch(`${server.url}/sessions/${other}`, { method: 'DELETE' });
      expect((await fetch(`${server.url}/sessions/${id}`)).status).toBe(404);
      socket.resume();
      await behind.until(
        () => behind.of('error').some((error: { message: string }) => error.message.includes(id)),
        15_000,
      );
      behind.ws.terminate();
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
      await dead.until(() => dead.closeCode !== null);
      expect(dead.closeCode).toBe(1006);
      expect(alive.closeCode).toBeNull();
      alive.ws.terminate();
    } finally {
      await server.stop();
    }
  });

  it('keeps the bytes queued to all WebSocket clients together within WS_MAX_TOTAL_BUFFERED_BYTES', async () => {
    const server = await BuiltServer.start({
      WS_MAX_BUFFERED_BYTES: String(4 * 1024 * 1024),
      WS_MAX_TOTAL_BUFFERED_BYTES: String(16 * 1024 * 1024),
      LOG_CAPACITY: '2000',
      WS_LOG_CHUNK: '100',
    });
    const clients: WsTestClient[] = [];
    try {
      const id = oid(0xd5);
      await create(server, id, 'many-readers');
      // 2,000 lines of 40 KB: 80 MB of log, 100 lines (4 MB) a frame.
      await appendLines(server, id, 'q'.repeat(40_000), 20, 100);
      const rssBefore = server.rss();
      // 100 clients that never read, each following from a cursor of its own, so that no two share a frame:
      // each one alone is within WS_MAX_BUFFERED_BYTES, together they held ~100 × 4 MB.
      for (let i = 0; i < 100; i++) {
        const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
        clients.push(client);
        await client.opened();
        (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
        client.send('subscribe-log', { id, cursor: i * 13 });
      }
      await eventually(async () => expect(await subscriptions(server)).toBe(100), 60_000, 'every subscription');
      // The server keeps trying them (each tick); give it a few.
      let peak = 0;
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        peak = Math.max(peak, server.rss());
      }
      expect(peak - rssBefore).toBeLessThan(200 * 1024 * 1024);
      expect(await queuedBytes(server)).toBeLessThanOrEqual(16 * 1024 * 1024 + 4 * 1024 * 1024 + 64 * 1024);
      // The clients that never read give the total back when they go (as a missed ping closes
      // them); three others, reading again, then get everything from their cursors.
      for (const client of clients.slice(3)) client.ws.terminate();
      const readers = clients.slice(0, 3);
      for (const client of readers) (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      for (const [i, client] of readers.entries()) {
        await client.until(() => client.of('log').at(-1)?.cursor === 2000, 60_000);
        const seqs = client.of('log').flatMap((event) => event.entries.map((entry: { seq: number }) => entry.seq));
        expect(seqs).toEqual(Array.from({ length: 2000 - i * 13 }, (_, k) => i * 13 + k));
      }
      await eventually(async () => expect(await queuedBytes(server)).toBe(0), 30_000, 'nothing queued');
    } finally {
      for (const client of clients) client.ws.terminate();
      await server.stop();
    }
  });

  it('reads a large backlog for followers at different cursors without holding a read per follower', async () => {
    // A heap of 256 MiB: the reads held one per follower do not fit in it even at 1 GiB (the
    // server dies), while what this flush needs does at 128 MiB. The RSS bound alone, between
    // +490 MiB and the +1,045 MiB of holding them, failed on a busy machine (+803 MiB: V8's
    // background GC threads lag), where a full heap makes V8 collect in time whatever the load.
    const server = await BuiltServer.start({
      MAX_BODY_BYTES: String(64 * 1024 * 1024),
      NODE_OPTIONS: '--max-old-space-size=256',
    });
    const clients: WsTestClient[] = [];
    try {
      const id = oid(0xd6);
      await create(server, id, 'many-cursors');
      // 60 followers of the empty log, each from a cursor of its own, that never read.
      for (let i = 0; i < 60; i++) {
        const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
        clients.push(client);
        await client.opened();
        (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
        client.send('subscribe-log', { id, cursor: i });
      }
      await eventually(async () => expect(await subscriptions(server)).toBe(60), 60_000, 'every subscription');
      const rssBefore = server.rss();
      // One append of 1,000 lines of 60 KB (60 MB): one flush, in which each follower reads up to
      // WS_LOG_CHUNK (1,000) entries from its cursor and is sent the first ~4 MB of them (~240 MB
      // queued in all). What was left of each read was kept for the whole flush: +1,045 MB with
      // 60 followers (+778 MB with 30), against +490 MB when only the last read is kept.
      await appendLines(server, id, 'r'.repeat(60_000), 1000, 1);
      let peak = 0;
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect([server.alive, server.output.match(/heap out of memory/)?.[0]]).toEqual([true, undefined]);
        peak = Math.max(peak, server.rss());
      }
      expect(peak - rssBefore).toBeLessThan(800 * 1024 * 1024);
      // A follower reading again gets everything from its cursor.
      const reader = clients[7];
      (reader.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await reader.until(() => reader.of('log').at(-1)?.cursor === 1000, 60_000);
      const seqs = reader.of('log').flatMap((event) => event.entries.map((entry: { seq: number }) => entry.seq));
      expect(seqs).toEqual(Array.from({ length: 993 }, (_, k) => 7 + k));
    } finally {
      for (const client of clients) client.ws.terminate();
      await server.stop();
    }
  });
});
