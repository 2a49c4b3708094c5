import { LogEventData, Session, SessionList, SessionsDeltaData } from '@zen/contract';
import { appendLines, BuiltServer, createSession, eventually, scrapeMetric, WsTestClient } from '@zen/testing';
import { randomBytes } from 'node:crypto';
import { ScaleOut, startScaleOut } from './nginx';

/** A fresh session id, so that the tests share the replicas without sharing sessions. */
const newId = () => randomBytes(12).toString('hex');

/** Quiet long enough for each replica's internal 10 s heartbeat of its server session to run. */
const PAST_A_HEARTBEAT_MS = 11_000;

/**
 * API.md's "Live updates" sentence by sentence, with a raw `ws` client on one replica (or on
 * whichever nginx picks) and the changes made through the other replica or through nginx's
 * round-robin: two built replicas on one real redis-server behind deploy/scale-out's nginx.
 */
describe("API.md's live updates on two replicas behind nginx (built server, deploy/scale-out)", () => {
  let scaleOut: ScaleOut;
  let replicas: BuiltServer[];
  let proxied: string;
  const clients: WsTestClient[] = [];

  beforeAll(async () => {
    scaleOut = await startScaleOut({
      LOG_CAPACITY: '5',
      // A backlog of 5 entries comes as 3 `log` events.
      WS_LOG_CHUNK: '2',
      SESSIONS_RETAIN_ENDED: '2',
      // The periodic listing is a minute away: a listing that comes sooner is the prompt one.
      SESSIONS_WS_INTERVAL_MS: '60000',
      // A client that stops reading is skipped after 64 KiB, not 4 MiB: quick to reach.
      WS_MAX_BUFFERED_BYTES: '65536',
    });
    ({ replicas, proxied } = scaleOut);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await scaleOut?.stop();
  });

  /** A raw `ws` client on replica `on` (0 or 1), or through nginx. */
  async function connect(on: 0 | 1 | 'nginx'): Promise<WsTestClient> {
    const url = on === 'nginx' ? proxied.replace(/^http/, 'ws') : replicas[on].wsUrl;
    const client = new WsTestClient(`${url}/sessions/ws`);
    clients.push(client);
    await client.opened();
    return client;
  }

  const base = (via: 0 | 1 | 'nginx') => (via === 'nginx' ? proxied : replicas[via].url);
  const create = async (via: 0 | 1 | 'nginx', id: string) =>
    expect((await createSession(base(via), id, { appname: 'live' })).status).toBe(201);
  const end = async (via: 0 | 1 | 'nginx', id: string) =>
    expect((await fetch(`${base(via)}/sessions/${id}`, { method: 'DELETE' })).status).toBe(200);
  const append = async (via: 0 | 1 | 'nginx', id: string, lines: string[]) =>
    expect((await appendLines(base(via), id, lines)).status).toBe(200);
  const listing = async (via: 0 | 1): Promise<SessionList> =>
    (await fetch(`${base(via)}/sessions/?status=all`)).json() as Promise<SessionList>;
  const session = async (id: string): Promise<Session> =>
    (await fetch(`${base(1)}/sessions/${id}`)).json() as Promise<Session>;
  const logs = (client: WsTestClient, id: string, from = 0): LogEventData[] =>
    client
      .of('log')
      .slice(from)
      .filter((data) => data.id === id);
  const seqs = (events: LogEventData[]) => events.flatMap((data) => data.entries.map((entry) => entry.seq));

  it('sends each connection, through nginx too, every session at once, newest created first, naming its own replica', async () => {
    const ended = newId();
    await create(1, ended);
    await end(1, ended);
    const serverSessions = [(await listing(0)).serverSessionId, (await listing(1)).serverSessionId];
    const named = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const client = await connect('nginx');
      await client.until((frames) => frames.length > 0);
      expect(client.frames[0].event).toBe('sessions');
      const first = client.of('sessions')[0];
      expect(serverSessions).toContain(first.serverSessionId);
      named.add(first.serverSessionId);
      // The listing of the replica it is on, ended sessions included (the server sessions' own
      // counters aside: a replica may still be logging the create and end above).
      const replica = serverSessions.indexOf(first.serverSessionId) as 0 | 1;
      const state = (list: SessionList) => list.sessions.map((s) => [s.id, s.status, s.created]);
      expect(state(first)).toEqual(state(await listing(replica)));
      expect(first.sessions.find((s) => s.id === ended)?.status).toBe('ended');
      const created = first.sessions.map((s) => s.created);
      expect(created).toEqual([...created].sort().reverse());
      client.close();
    }
    // Round-robin: both replicas took a connection, each naming its own server session.
    expect(named.size).toBe(2);
  });

  it('sends a full-list client on one replica a listing soon after a create and an end through the other', async () => {
    const client = await connect(0);
    await client.until(() => client.of('sessions').length === 1);
    const id = newId();
    await create(1, id);
    // The periodic listing is a minute away: these are the prompt ones.
    await client.until(() => client.of('sessions').some((list) => list.sessions.some((s) => s.id === id)));
    await end(1, id);
    await client.until(() =>
      client.of('sessions').some((list) => list.sessions.find((s) => s.id === id)?.status === 'ended'),
    );
    expect(
      client.of('sessions').every((list) => list.serverSessionId === client.of('sessions')[0].serverSessionId),
    ).toBe(true);
    expect(client.of('sessions-delta')).toEqual([]);
    client.close();
  });

  it('follows logs appended through the other replica and nginx: cursor, dropped, a backlog in parts, resubscribing, several sessions', async () => {
    const id = newId();
    const other = newId();
    await create(1, id);
    await create('nginx', other);
    // 8 appended, LOG_CAPACITY 5: seqs 3–7 held, 0–2 evicted.
    await append(1, id, ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
    const client = await connect(0);

    // No cursor: from 0; the 3 evicted are dropped; 5 entries in parts of WS_LOG_CHUNK (2).
    client.send('subscribe-log', { id });
    await client.until(() => seqs(logs(client, id)).at(-1) === 7);
    const backlog = logs(client, id);
    expect(backlog.map((data) => [data.entries.length, data.cursor, data.dropped])).toEqual([
      [2, 5, 3],
      [2, 7, 0],
      [1, 8, 0],
    ]);
    expect(seqs(backlog)).toEqual([3, 4, 5, 6, 7]);

    // Again, from a cursor below the evicted part: it replaces the subscription (dropped counts from 2).
    let from = client.of('log').length;
    client.send('subscribe-log', { id, cursor: 2 });
    await client.until(() => seqs(logs(client, id, from)).at(-1) === 7);
    expect(logs(client, id, from)[0].dropped).toBe(1);
    expect(seqs(logs(client, id, from))).toEqual([3, 4, 5, 6, 7]);

    // Then appends through nginx (either replica) and the other replica reach it once each, in order.
    from = client.of('log').length;
    client.send('subscribe-log', { id: other, cursor: 0 });
    await append('nginx', id, ['b8']);
    await append(1, other, ['o0']);
    await append('nginx', id, ['b9', 'b10']);
    await append('nginx', other, ['o1']);
    await client.until(
      () => seqs(logs(client, id, from)).at(-1) === 10 && seqs(logs(client, other, from)).at(-1) === 1,
    );
    expect(seqs(logs(client, id, from))).toEqual([8, 9, 10]);
    expect(seqs(logs(client, other, from))).toEqual([0, 1]);
    expect(logs(client, id, from).map((data) => data.dropped)).toEqual(logs(client, id, from).map(() => 0));
    expect(logs(client, other, from).flatMap((data) => data.entries.map((entry) => entry.message))).toEqual([
      'o0',
      'o1',
    ]);

    // Unsubscribing from a session never subscribed to does nothing; unsubscribing stops the pushes.
    from = client.frames.length;
    client.send('unsubscribe-log', { id: newId() });
    client.send('unsubscribe-log', { id: other });
    await append(1, other, ['o2']);
    await append(1, id, ['c11']);
    await client.until(() => seqs(logs(client, id)).at(-1) === 11);
    // (A periodic listing may come meanwhile on a machine slow enough to take a minute.)
    expect(
      client.frames
        .slice(from)
        .map((frame) => frame.event)
        .filter((event) => event !== 'sessions'),
    ).toEqual(['log']);
    expect(client.closeCode).toBeNull();
    client.close();
  });

  it('answers what it cannot act on with an error event, the connection staying open; a plain request through nginx is a 426', async () => {
    const client = await connect('nginx');
    const unknown = newId();
    const sent = [
      () => client.ws.send('not json'),
      () => client.send('no-such-event', {}),
      () => client.send('subscribe-log', { id: 'xyz' }),
      () => client.send('subscribe-log', { id: newId(), cursor: -1 }),
      () => client.send('subscribe-sessions', { mode: 'sideways' }),
      () => client.send('subscribe-log', { id: unknown }),
    ];
    for (const [i, send] of sent.entries()) {
      send();
      await client.until(() => client.of('error').length === i + 1);
    }
    expect(client.of('error').at(-1)?.message).toBe(`subscribe-log: session ${unknown} not found`);
    // Still open, and still acting on what it can.
    const id = newId();
    await create(1, id);
    await append(0, id, ['after the errors']);
    client.send('subscribe-log', { id });
    await client.until(() => logs(client, id).length > 0);
    expect(client.closeCode).toBeNull();
    client.close();

    const plain = await fetch(`${proxied}/sessions/ws`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    expect(await plain.json()).toEqual({
      statusCode: 426,
      error: 'Upgrade Required',
      message: 'this is a WebSocket endpoint: connect with a WebSocket client',
    });
  });

  it('gives a delta client on one replica whole objects and retention removals made through either replica, nothing while quiet, and the full list back', async () => {
    const client = await connect(0);
    // The connect listing first, so that the baseline is an event of its own.
    await client.until(() => client.of('sessions').length === 1);
    client.send('subscribe-sessions', { mode: 'delta' });
    await client.until(() => client.of('sessions').length === 2);
    const replayed = () => {
      let list: Session[] = [];
      for (const frame of client.frames) {
        if (frame.event === 'sessions') list = (frame.data as SessionList).sessions;
        if (frame.event !== 'sessions-delta') continue;
        const { upserted, removed } = frame.data as SessionsDeltaData;
        list = list.filter((s) => !removed.includes(s.id));
        const fresh = upserted.filter((s) => !list.some((held) => held.id === s.id));
        list = [...fresh, ...list.map((held) => upserted.find((s) => s.id === held.id) ?? held)];
      }
      return list;
    };

    const id = newId();
    await create(1, id);
    await append('nginx', id, ['w0', 'Warning: w1']);
    const now = await session(id);
    expect(now.logCursor).toBe(2);
    // The append's `updated` and counters, in a whole object as GET has it.
    await client.until(() =>
      client.of('sessions-delta').some((delta) => delta.upserted.some((s) => s.id === id && s.logCursor === 2)),
    );
    const upserted = client
      .of('sessions-delta')
      .flatMap((delta) => delta.upserted)
      .filter((s) => s.id === id)
      .at(-1);
    expect(upserted).toEqual(now);

    // SESSIONS_RETAIN_ENDED 2: ending three more, through either replica, forgets the earliest ended.
    const ended = [newId(), newId(), newId()];
    for (const [i, each] of ended.entries()) {
      await create(i % 2 ? 0 : 1, each);
      await end(i % 2 ? 1 : 0, each);
    }
    await eventually(async () => {
      const forgotten = client.of('sessions-delta').flatMap((delta) => delta.removed);
      expect(forgotten).toContain(ended[0]);
      expect(replayed()).toEqual((await listing(0)).sessions);
    });

    // The replicas' own sessions log each create and end: the last of those lines, and its feed
    // message, can land after the listing above (a busy CI run saw a delta of a replica's server
    // session in the quiet window below). Quiet begins once no frame has come for 2 s, some twenty
    // delta windows.
    for (let seen = -1; seen !== client.frames.length; ) {
      seen = client.frames.length;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(replayed()).toEqual((await listing(0)).sessions);

    // Quiet: no request changes anything and the replicas log nothing, through their heartbeats.
    const before = client.frames.length;
    await new Promise((resolve) => setTimeout(resolve, PAST_A_HEARTBEAT_MS));
    expect(client.frames.slice(before)).toEqual([]);
    expect(replayed()).toEqual((await listing(1)).sessions);

    // Back to the full list: one listing at once, then no deltas.
    const listings = client.of('sessions').length;
    client.send('subscribe-sessions', { mode: 'full' });
    await client.until(() => client.of('sessions').length === listings + 1);
    const deltas = client.of('sessions-delta').length;
    const late = newId();
    await create(1, late);
    await client.until(() => client.of('sessions').some((list) => list.sessions.some((s) => s.id === late)));
    expect(client.of('sessions-delta')).toHaveLength(deltas);
    client.close();
  });

  it('skips a client on one replica that stops reading ahead with dropped, holding no more than its bound for it', async () => {
    const id = newId();
    await create(1, id);
    const client = await connect(0);
    client.send('subscribe-log', { id, cursor: 0 });
    await append(1, id, ['first']);
    await client.until(() => seqs(logs(client, id)).includes(0));
    client.pause();
    // 400 appends of 60 KiB through the other replica: 24 MB, past the kernel's buffers and 64 KiB.
    const line = 'x'.repeat(60 * 1024);
    let queuedMost = 0;
    for (let i = 0; i < 400; i++) {
      await append(1, id, [line]);
      if (i % 20 === 19) queuedMost = Math.max(queuedMost, await queuedBytes(replicas[0]));
    }
    // The client was held at its bound (past it, nothing more is queued for it until it drains),
    // one `log` event past it at most: the bound is checked before each is queued.
    expect(queuedMost).toBeGreaterThan(65536);
    expect(queuedMost).toBeLessThanOrEqual(2 * 65536 + 2 * line.length);
    client.resume();
    await client.until(() => logs(client, id).at(-1)?.cursor === 401, 30_000);
    const events = logs(client, id);
    // Every seq is delivered or reported dropped, once; each event starts where the last left off.
    let cursor = 0;
    for (const data of events) {
      expect(data.entries[0]?.seq ?? data.cursor).toBe(cursor + data.dropped);
      cursor = data.cursor;
    }
    expect(events.some((data) => data.dropped > 0)).toBe(true);
    expect(seqs(events).length + events.reduce((sum, data) => sum + data.dropped, 0)).toBe(401);
    expect(client.closeCode).toBeNull();
    client.close();
  });
});

/** `zen_ws_queued_bytes` of a replica's `/metrics`: what it holds queued for its WebSocket clients. */
const queuedBytes = async (replica: BuiltServer) => Number(await scrapeMetric(replica.url, 'zen_ws_queued_bytes'));
