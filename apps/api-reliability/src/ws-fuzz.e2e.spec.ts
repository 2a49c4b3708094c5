import fc from 'fast-check';
import WebSocket from 'ws';
import { appendLines, BuiltServer, createSession, eventually, JSON_HEADERS, oid, WsTestClient } from '@zen/testing';

// Malformed frames, unknown events, wrong payload types, binary and oversize frames,
// subscribe storms: the connection gets error events or a clean close, never the process.
describe('WebSocket fuzzing (real server)', () => {
  let server: BuiltServer;
  const session = oid(0xc1);

  beforeAll(async () => {
    server = await BuiltServer.start({ WS_MAX_PAYLOAD_BYTES: '4096', LOG_CAPACITY: '100' });
    await fetch(`${server.url}/sessions/${session}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"appname":"ws"}',
    });
    await fetch(`${server.url}/sessions/${session}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'one\ntwo',
    });
  });
  afterAll(() => server.stop());

  const frame = fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
    fc
      .record({
        event: fc.oneof(
          fc.constantFrom(
            'subscribe-log',
            'unsubscribe-log',
            'subscribe-sessions',
            'sessions',
            'sessions-delta',
            'log',
            'error',
            '__proto__',
            'constructor',
            '',
          ),
          fc.string({ maxLength: 20 }),
          fc.integer(),
        ),
        data: fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record(
            {
              id: fc.oneof(
                fc.constantFrom(session, session.toUpperCase(), oid(0xdead), 'x'),
                fc.string(),
                fc.integer(),
              ),
              cursor: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
              mode: fc.oneof(fc.constantFrom('delta', 'full', 'DELTA', ''), fc.jsonValue({ maxDepth: 1 })),
            },
            { requiredKeys: [] },
          ),
        ),
      })
      .map((message) => JSON.stringify(message)),
    fc.constant('{"event":"subscribe-log","data":{"__proto__":{"id":"' + session + '"}}}'),
  );

  it('answers every generated frame with error events or log events, and stays open', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 20 }), async (frames) => {
        const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
        await client.opened();
        for (const text of frames) client.ws.send(text);
        // A known-good subscribe after the garbage must still work on the same connection.
        client.send('subscribe-log', { id: session, cursor: 1 });
        await client.until(() =>
          client.of('log').some((event) => event.entries.some((entry: { seq: number }) => entry.seq === 1)),
        );
        expect(client.ws.readyState).toBe(WebSocket.OPEN);
        for (const event of client.frames)
          expect(['sessions', 'sessions-delta', 'log', 'error']).toContain(event.event);
        client.ws.terminate();
      }),
      // FUZZ_SEED as in http-fuzz, so that the campaign's recorded seed replays these runs too.
      {
        numRuns: Number(process.env['WS_FUZZ_RUNS'] ?? 60),
        seed: Number(process.env['FUZZ_SEED'] ?? Date.now() % 100_000),
      },
    );
    expect(server.alive).toBe(true);
  });

  it('answers binary frames with an error event', async () => {
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.opened();
    client.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    await client.until(() => client.of('error').length === 1);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.ws.terminate();
  });

  it('closes a connection that sends a frame over WS_MAX_PAYLOAD_BYTES with 1009, and lives on', async () => {
    const serverSession = async () => {
      const list = await (await fetch(`${server.url}/sessions/`)).json();
      return list.sessions.find((s: { id: string }) => s.id === list.serverSessionId);
    };
    const errorsBefore = (await serverSession()).errorCount;
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.opened();
    client.ws.send('x'.repeat(5000));
    await client.until(() => client.closeCode !== null);
    expect(client.closeCode).toBe(1009);
    expect(server.alive).toBe(true);
    // The client's fault: a warning in the server's log naming it, not a server error.
    const { id } = await serverSession();
    await eventually(async () => {
      const { entries } = await (await fetch(`${server.url}/sessions/${id}/log?q=payload&limit=10000`)).json();
      expect(entries).toEqual([
        expect.objectContaining({ level: 'warn', message: expect.stringContaining('WebSocket client 127.0.0.1') }),
      ]);
    });
    expect((await serverSession()).errorCount).toBe(errorsBefore);
    const next = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await next.opened();
    next.ws.terminate();
  });

  it('survives a subscribe storm and ends with exactly the last subscription', async () => {
    // A session of its own with four entries: the storm subscribes from 0, 1 and 2, the last
    // subscription from 3, so that what it sends (seq 3 alone, then what is new) tells it apart.
    const stormed = oid(0xc2);
    await createSession(server.url, stormed, { appname: 'storm' });
    expect((await appendLines(server.url, stormed, ['a', 'b', 'c', 'd'])).status).toBe(200);
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.opened();
    for (let i = 0; i < 2000; i++) client.send('subscribe-log', { id: i % 2 ? stormed : oid(0xdead), cursor: i % 3 });
    client.send('unsubscribe-log', { id: stormed });
    client.send('subscribe-log', { id: stormed, cursor: 3 });
    await client.until(() => client.of('error').length === 1000, 10_000);
    const before = client.of('log').length;
    expect((await appendLines(server.url, stormed, ['after storm'])).status).toBe(200);
    await client.until(() =>
      client
        .of('log')
        .slice(before)
        .some((event) => event.entries.some((entry: { message: string }) => entry.message === 'after storm')),
    );
    const delivered = client
      .of('log')
      .filter((event) => event.id === stormed)
      .map((event) => event.entries.map((entry: { seq: number }) => entry.seq));
    // The storm's backlogs (those not overtaken) came first, each ending at seq 3; from the last
    // event that carried seq 3 on, only the last subscription's: from its cursor, the new entry once.
    const last = delivered.slice(delivered.map((seqs) => seqs.includes(3)).lastIndexOf(true)).flat();
    expect(last).toEqual([3, 4]);
    const copies = client
      .of('log')
      .flatMap((event) => event.entries)
      .filter((entry: { message: string }) => entry.message === 'after storm');
    expect(copies).toHaveLength(1);
    expect(server.alive).toBe(true);
    client.ws.terminate();
  });
});
