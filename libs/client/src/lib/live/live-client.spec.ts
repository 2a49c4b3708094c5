import { createServer } from 'node:net';
import { LogEntry, SessionList } from '@zen/contract';
import { BuiltServer, eventually, RedisServer, TcpProxy } from '@zen/testing';
import { NetworkError } from '../errors';
import { SessionsClient } from '../rest/sessions-client';
import { DroppedAt, LiveClient, lookUpSession, SESSION_LOOKUPS_IN_FLIGHT } from './live-client';
import { nodeWebSocketFactory } from './node-websocket';

describe('live client against the built server', () => {
  let server: BuiltServer;
  let proxy: TcpProxy;
  let client: SessionsClient;
  const live: LiveClient[] = [];
  const connect = (options: Partial<ConstructorParameters<typeof LiveClient>[0]> = {}) => {
    const created = new LiveClient({
      server: proxy.url,
      webSocket: nodeWebSocketFactory,
      reconnectInitialMs: 50,
      reconnectMaxMs: 500,
      ...options,
    });
    live.push(created);
    return created;
  };
  /**
   * The seqs a follower straight to the server (not through the proxy) receives from `cursor`:
   * once it has new entries, the server has sent them to the proxy too (one flush serves every
   * follower before it reads anything more).
   */
  const witness = (id: string, cursor: number) => {
    const seqs: number[] = [];
    connect({ server: server.url }).followLog(id, cursor, {
      onEntries: (entries) => seqs.push(...entries.map((e) => e.seq)),
    });
    return seqs;
  };
  /** Cuts the connection and keeps it refused while seq 2..31 are appended (capacity 20: 2..11 are evicted meanwhile). */
  const evictWhileCut = async (id: string) => {
    proxy.refusing = true;
    proxy.cut();
    await append(id, 2, 30);
    proxy.refusing = false;
  };
  const append = (id: string, from: number, count: number) =>
    client.logs.append(
      id,
      Array.from({ length: count }, (_, i) => ({ message: `m${from + i}` })),
    );

  beforeAll(async () => {
    server = await BuiltServer.start({ LOG_CAPACITY: '20', SESSIONS_WS_INTERVAL_MS: '200' });
    proxy = await TcpProxy.start(server.port);
    client = new SessionsClient({ server: server.url });
  });
  afterEach(() => live.splice(0).forEach((each) => each.close()));
  afterAll(async () => {
    await proxy.stop();
    await server.stop();
  });

  it('tells onEnded once every entry up to the end has come, in full and in delta mode, and at once for an ended log', async () => {
    for (const mode of ['full', 'delta'] as const) {
      const id = (await client.sessions.create({ appname: `ends-${mode}` })).id;
      await append(id, 0, 3);
      const told: string[] = [];
      const socket = connect();
      if (mode === 'delta') socket.followSessions(() => undefined, 'delta');
      socket.followLog(id, 1, {
        onEntries: (entries) => told.push(...entries.map((e) => e.message)),
        onEnded: (logCursor) => told.push(`ended at ${logCursor}`),
      });
      await eventually(() => told.length === 2, 10_000, 'the backlog');
      await append(id, 3, 4);
      await client.sessions.end(id);
      await eventually(() => told.includes('ended at 7'), 10_000, 'the end');
      // A later list showing it ended again tells nothing more.
      await new Promise((done) => setTimeout(done, 500));
      expect({ mode, told }).toEqual({ mode, told: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'ended at 7'] });

      const late: string[] = [];
      connect().followLog(id, 5, {
        onEntries: (entries) => late.push(...entries.map((e) => e.message)),
        onEnded: (logCursor) => late.push(`ended at ${logCursor}`),
      });
      await eventually(() => late.includes('ended at 7'), 10_000, 'the end of an ended log');
      expect(late).toEqual(['m5', 'm6', 'ended at 7']);
    }
  });

  it('tells onForgotten, after the entries sent before, when the server forgets a followed session as it ends (SESSIONS_RETAIN_ENDED=0)', async () => {
    const forgetful = await BuiltServer.start({ SESSIONS_RETAIN_ENDED: '0' });
    try {
      const rest = new SessionsClient({ server: forgetful.url });
      const id = (await rest.sessions.create({ appname: 'forgotten' })).id;
      const told: string[] = [];
      const socket = connect({ server: forgetful.url });
      // The sessions-delta that names it removed is how the end of such a session is known.
      socket.followSessions(() => undefined, 'delta');
      socket.followLog(id, 0, {
        onEntries: (entries) => told.push(...entries.map((e) => e.message)),
        onRefused: () => told.push('refused'),
        onForgotten: () => told.push('forgotten'),
      });
      await rest.logs.append(id, { message: 'm0' });
      await eventually(() => told.includes('m0'), 10_000, 'the first entry');
      await rest.logs.append(id, { message: 'm1' });
      await rest.sessions.end(id);
      await eventually(() => told.includes('forgotten'), 10_000, 'onForgotten');
      // The server refuses the subscription too, mostly before the delta comes.
      expect(told.filter((each) => each !== 'refused')).toEqual(['m0', 'm1', 'forgotten']);
    } finally {
      await forgetful.stop();
    }
  });

  it('follows several sessions at once, each entry once and in order, from a cursor', async () => {
    const a = (await client.sessions.create({ appname: 'a' })).id;
    const b = (await client.sessions.create({ appname: 'b' })).id;
    await append(a, 0, 3);
    const seen: Record<string, string[]> = { [a]: [], [b]: [] };
    const socket = connect();
    await eventually(() => socket.connected);
    const followA = socket.followLog(a, 1, { onEntries: (entries) => seen[a].push(...entries.map((e) => e.message)) });
    socket.followLog(b, 0, { onEntries: (entries) => seen[b].push(...entries.map((e) => e.message)) });
    await append(b, 0, 2);
    await append(a, 3, 2);
    await eventually(() => seen[a].length === 4 && seen[b].length === 2);
    expect(seen[a]).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(seen[b]).toEqual(['m0', 'm1']);
    expect(followA.cursor).toBe(5);

    followA.stop();
    await append(a, 5, 1);
    await append(b, 2, 1);
    await eventually(() => seen[b].length === 3);
    expect(seen[a]).toHaveLength(4);
  });

  it('followed again from another cursor, delivers every entry from it once, in order, though the old follow s events still arrive', async () => {
    const id = (await client.sessions.create({ appname: 'refollow' })).id;
    const first: number[] = [];
    const socket = connect();
    await eventually(() => socket.connected);
    socket.followLog(id, 0, { onEntries: (entries) => first.push(...entries.map((e) => e.seq)) });
    await append(id, 0, 6);
    await eventually(() => first.length === 6);
    const witnessed = witness(id, 6);

    for (const [from, to] of [
      [2, 10], // lower than the follow's cursor (6): the old follow's 6..9 arrive first
      [13, 15], // higher than its cursor (11): its 11..14 arrive first
    ]) {
      proxy.hold();
      await append(id, witnessed.length + 6, 4);
      await eventually(() => witnessed.length === to - 6, 10_000, 'the witness');
      const again: number[] = [];
      const follow = socket.followLog(id, from, { onEntries: (entries) => again.push(...entries.map((e) => e.seq)) });
      proxy.release();
      await eventually(() => follow.cursor === to && again.length > 0, 10_000, `the follow from ${from}`);
      await append(id, to, 1); // and what comes after
      await eventually(() => again.includes(to), 10_000, `the entry after the follow from ${from}`);
      expect(again).toEqual(Array.from({ length: to + 1 - from }, (_, i) => from + i));
    }
    expect(first).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reconnects after a lost connection and resumes from its cursor: nothing twice, nothing missing', async () => {
    const id = (await client.sessions.create({ appname: 'resume' })).id;
    const seen: LogEntry[] = [];
    const states: string[] = [];
    const socket = connect({ onConnection: (state) => states.push(state) });
    socket.followLog(id, 0, { onEntries: (entries) => seen.push(...entries) });
    await eventually(() => socket.connected);
    await append(id, 0, 5);
    await eventually(() => seen.length === 5);

    proxy.refusing = true;
    proxy.cut();
    await eventually(() => states.includes('lost'));
    await append(id, 5, 5);
    proxy.refusing = false;
    await append(id, 10, 5);
    await eventually(() => seen.length >= 15);
    await new Promise((done) => setTimeout(done, 300));
    expect(seen.map((entry) => entry.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(states.filter((state) => state === 'open').length).toBeGreaterThanOrEqual(2);
  });

  it('says why it could not connect: the socket s error, when the close gives no reason', async () => {
    const details: string[] = [];
    connect({
      server: `${server.url}/elsewhere`,
      onConnection: (state, detail) => state === 'lost' && details.push(String(detail)),
    });
    await eventually(() => details.length > 0);
    expect(details[0]).toBe('closed with 1006: Unexpected server response: 404');
  });

  it('reports entries evicted while it was away as dropped', async () => {
    const id = (await client.sessions.create({ appname: 'dropped' })).id;
    const seen: number[] = [];
    let dropped = 0;
    const gapEnds: DroppedAt[] = [];
    const socket = connect();
    socket.followLog(id, 0, {
      onEntries: (entries) => seen.push(...entries.map((e) => e.seq)),
      onDropped: (n, at) => {
        dropped += n;
        gapEnds.push(at);
      },
    });
    await eventually(() => socket.connected);
    await append(id, 0, 2);
    await eventually(() => seen.length === 2);

    await evictWhileCut(id);
    await eventually(() => seen.length === 22);
    expect(dropped).toBe(10);
    expect(gapEnds).toEqual([{ seq: 12, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    expect(seen.slice(2)).toEqual(Array.from({ length: 20 }, (_, i) => 12 + i));
  });

  it('calls no handler of a follow after onDropped stopped it, not even with the entries after the gap', async () => {
    const id = (await client.sessions.create({ appname: 'gives-up' })).id;
    const seen: number[] = [];
    const gaps: number[] = [];
    const socket = connect();
    const follow = socket.followLog(id, 0, {
      onEntries: (entries) => seen.push(...entries.map((e) => e.seq)),
      onDropped: (n) => {
        gaps.push(n);
        follow.stop(); // a gap: this tool gives up
      },
    });
    await eventually(() => socket.connected);
    await append(id, 0, 2);
    await eventually(() => seen.length === 2);
    await evictWhileCut(id);
    await eventually(() => gaps.length === 1, 10_000, 'the gap');
    // The gap came in one event with the entries after it (12..31), taken in the same turn.
    expect(gaps).toEqual([10]);
    expect(seen).toEqual([0, 1]);
  });

  it('reports a gap once to a follow that replaced another, though the old subscription s event reported it first', async () => {
    const id = (await client.sessions.create({ appname: 'dropped-once' })).id;
    const socket = connect();
    const first: number[] = [];
    socket.followLog(id, 0, { onEntries: (entries) => first.push(...entries.map((e) => e.seq)) });
    await append(id, 0, 2);
    await eventually(() => first.length === 2);
    const witnessed = witness(id, 2);

    proxy.hold();
    await append(id, 2, 30); // capacity 20: seq 2..11 are evicted before the follow reads them
    await eventually(() => witnessed.length === 20, 10_000, 'the witness');
    // Followed again from the same cursor: the old subscription's event (10 dropped, then 12..31)
    // comes first, and then the new one's backlog, the same gap and entries.
    const seen: number[] = [];
    const gaps: [number, DroppedAt][] = [];
    const follow = socket.followLog(id, 2, {
      onEntries: (entries) => seen.push(...entries.map((e) => e.seq)),
      onDropped: (count, at) => gaps.push([count, at]),
    });
    proxy.release();
    await eventually(() => follow.cursor === 32, 10_000, 'the follow');
    await append(id, 32, 1);
    await eventually(() => seen.includes(32), 10_000, 'the entry after');
    expect(gaps).toEqual([[10, { seq: 12, time: expect.any(String) }]]);
    expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => 12 + i));
  });

  it('reports a gap once to a follow replaced as the connection opens again (the reconnect resubscribes it too)', async () => {
    const id = (await client.sessions.create({ appname: 'dropped-reconnect' })).id;
    const seen: number[] = [];
    const gaps: [number, DroppedAt][] = [];
    const handlers = {
      onEntries: (entries: LogEntry[]) => seen.push(...entries.map((e) => e.seq)),
      onDropped: (count: number, at: DroppedAt) => gaps.push([count, at]),
    };
    let opens = 0;
    let follow: { cursor: number } | null = null;
    const socket: LiveClient = connect({
      onConnection: (state) => {
        // A follower that follows again whenever the connection is back, from where it was.
        if (state === 'open' && ++opens > 1 && follow) follow = socket.followLog(id, follow.cursor, handlers);
      },
    });
    follow = socket.followLog(id, 0, handlers);
    await append(id, 0, 2);
    await eventually(() => seen.length === 2);

    await evictWhileCut(id);
    await eventually(() => seen.length === 22, 10_000, 'the entries after the gap');
    await append(id, 32, 1);
    await eventually(() => seen.includes(32), 10_000, 'the entry after');
    expect(gaps).toEqual([[10, { seq: 12, time: expect.any(String) }]]);
    expect(seen.slice(2)).toEqual(Array.from({ length: 21 }, (_, i) => 12 + i));
  });

  it('follows the sessions list in full mode and in delta mode', async () => {
    for (const mode of ['full', 'delta'] as const) {
      const lists: SessionList[] = [];
      const socket = connect();
      socket.followSessions((list) => lists.push(list), mode);
      const created = await client.sessions.create({ appname: `list-${mode}` });
      const latest = () => lists[lists.length - 1]?.sessions.find((session) => session.id === created.id);
      await eventually(() => latest() !== undefined, 10_000, `${mode}: the new session`);
      await client.logs.append(created.id, { message: 'counted', level: 'warn' });
      await eventually(() => latest()?.warnCount === 1, 10_000, `${mode}: the append`);
      await client.sessions.end(created.id);
      await eventually(() => latest()?.status === 'ended', 10_000, `${mode}: the end`);
      const list = lists[lists.length - 1];
      expect(list.serverSessionId).toMatch(/^[0-9a-f]{24}$/);
      const created_ = list.sessions.map((session) => session.created);
      expect([...created_].sort().reverse()).toEqual(created_);
    }
  });

  it('refuses a sessions feed mode the protocol does not have, at the call', () => {
    const socket = connect({ lazy: true });
    expect(() => socket.followSessions(() => undefined, 'deltas' as 'delta')).toThrow(
      new TypeError(`followSessions: mode must be 'full' or 'delta', not "deltas"`),
    );
  });

  it('applies deltas so that the list is the one a full list would be, in the same order', async () => {
    const socket = connect();
    const lists: SessionList[] = [];
    socket.followSessions((list) => lists.push(list), 'delta');
    await eventually(() => lists.length > 0);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await client.sessions.create({ appname: `order-${i}` })).id);
    await client.sessions.end(made[1]);
    const latest = () => lists[lists.length - 1].sessions.map((session) => session.id);
    await eventually(
      () => latest()[0] === made[2] && lists[lists.length - 1].sessions.some((s) => s.status === 'ended'),
    );
    const full: SessionList[] = [];
    connect().followSessions((list) => full.push(list));
    await eventually(() => full.length > 0);
    await eventually(
      () => JSON.stringify(latest()) === JSON.stringify(full[full.length - 1].sessions.map((s) => s.id)),
    );
    expect(latest().slice(0, 3)).toEqual([made[2], made[1], made[0]]);
  });

  it('waits for open() when lazy, stays down after close(), and resumes every follow from its cursor on open()', async () => {
    const id = (await client.sessions.create({ appname: 'reopen' })).id;
    const seen: number[] = [];
    const states: string[] = [];
    const socket = connect({ lazy: true, onConnection: (state) => states.push(state) });
    socket.followLog(id, 0, { onEntries: (entries) => seen.push(...entries.map((e) => e.seq)) });
    await append(id, 0, 3);
    await new Promise((done) => setTimeout(done, 300));
    expect(socket.connected).toBe(false);
    expect(seen).toEqual([]);

    socket.open();
    await eventually(() => seen.length === 3);
    socket.close();
    await append(id, 3, 3);
    await new Promise((done) => setTimeout(done, 300));
    expect(socket.connected).toBe(false);
    expect(seen).toHaveLength(3);

    socket.open();
    await eventually(() => seen.length === 6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(states).toEqual(['open', 'open']);
  });

  it('gives a new sessions listener the list it already has', async () => {
    const socket = connect();
    const first: SessionList[] = [];
    socket.followSessions((list) => first.push(list), 'delta');
    await eventually(() => first.length > 0);
    const late: SessionList[] = [];
    socket.followSessions((list) => late.push(list), 'delta');
    expect(late).toHaveLength(1);
    expect(late[0].serverSessionId).toBe(first[first.length - 1].serverSessionId);
  });

  it('asks a token function again at every connect, so a corrected token gets in', async () => {
    const guarded = await BuiltServer.start({ AUTH_TOKEN: 'write-token-2', AUTH_READ_TOKEN: 'read-token-2' });
    try {
      let token = 'wrong';
      let asked = 0;
      const lists: SessionList[] = [];
      const socket = connect({ server: guarded.url, token: () => (asked++, token), reconnectMaxMs: 200 });
      socket.followSessions((list) => lists.push(list));
      await eventually(() => asked >= 2);
      expect(lists).toEqual([]);
      token = 'read-token-2';
      await eventually(() => lists.length > 0);
    } finally {
      await guarded.stop();
    }
  });

  it('tries again when the token function throws, telling onConnection why', async () => {
    const guarded = await BuiltServer.start({ AUTH_TOKEN: 'write-token-3', AUTH_READ_TOKEN: 'read-token-3' });
    try {
      let asked = 0;
      const lost: string[] = [];
      const lists: SessionList[] = [];
      const socket = connect({
        server: guarded.url,
        // Not there yet for the first connects (read from a file a deployment writes later).
        token: () => {
          if (++asked <= 2) throw new Error('no token yet');
          return 'read-token-3';
        },
        reconnectMaxMs: 200,
        // Told after the constructor returned, though its first connect failed: `socket` is there.
        onConnection: (state, detail) => state === 'lost' && lost.push(`${socket.url} ${detail}`),
      });
      socket.followSessions((list) => lists.push(list));
      await eventually(() => lists.length > 0, 10_000, 'a list once the token is there');
      expect(lost).toEqual([
        `${socket.url} could not connect: no token yet`,
        `${socket.url} could not connect: no token yet`,
      ]);
    } finally {
      await guarded.stop();
    }
  });

  it('asks its sessionLookup nothing while closed or not opened yet, and checks every follow once connected', async () => {
    const id = (await client.sessions.create({ appname: 'lookup-when-open' })).id;
    await append(id, 0, 2);
    let asked = 0;
    const sessionLookup = (lookedUp: string, signal: AbortSignal) => {
      asked++;
      return client.sessions.get(lookedUp, { signal });
    };
    const seen: number[] = [];
    const socket = connect({ lazy: true, sessionLookup });
    socket.followLog(id, 0, { onEntries: (entries) => seen.push(...entries.map((e) => e.seq)) });
    // A check under way while closed would be asked again and again while the server is away,
    // keeping a process that closed its client alive.
    expect(asked).toBe(0);
    socket.open();
    await eventually(() => seen.length === 2 && asked === 1);
    socket.close();
    socket.followLog(id, 2, { onEntries: (entries) => seen.push(...entries.map((e) => e.seq)) });
    expect(asked).toBe(1);
    await append(id, 2, 1);
    socket.open();
    await eventually(() => seen.length === 3);
    expect(seen).toEqual([0, 1, 2]);
    expect(asked).toBe(2);
  });

  it('passes the token to the server', async () => {
    const guarded = await BuiltServer.start({ AUTH_TOKEN: 'write-token-1', AUTH_READ_TOKEN: 'read-token-1' });
    try {
      const lists: SessionList[] = [];
      const lost: string[] = [];
      const socket = connect({
        server: guarded.url,
        token: 'read-token-1',
        onConnection: (state, detail) => state === 'lost' && lost.push(detail ?? ''),
      });
      socket.followSessions((list) => lists.push(list));
      // Without the token, the server refuses the upgrade (401): the connection is lost, saying so.
      await eventually(() => lists.length > 0 || lost.length > 0, 20_000, 'a sessions list or a lost connection');
      expect(lost).toEqual([]);
      expect(lists.length).toBeGreaterThan(0);
    } finally {
      await guarded.stop();
    }
  });

  it('keeps following, without telling onRefused, when the server could not look the session up (Redis down)', async () => {
    const redis = await RedisServer.start();
    const shared = await BuiltServer.start({ LOG_STORE: 'redis', REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '500' });
    try {
      const rest = new SessionsClient({ server: shared.url });
      const id = (await rest.sessions.create({ appname: 'outage' })).id;
      await rest.logs.append(id, { message: 'before' });
      await redis.stop();
      const seen: string[] = [];
      const refusals: string[] = [];
      const errors: string[] = [];
      const live = connect({ server: shared.url, onServerError: (message) => errors.push(message) });
      live.followLog(id, 0, {
        onEntries: (entries) => seen.push(...entries.map((entry) => entry.message)),
        onRefused: (message) => refusals.push(message),
      });
      await eventually(
        () =>
          errors.some((message) =>
            message.startsWith(`subscribe-log: session ${id} pending until the store answers: the session store`),
          ),
        30_000,
        'the error event naming the store',
      );
      await redis.restart();
      await eventually(() => seen.includes('before'), 30_000, 'the entries once Redis is back');
      expect(refusals).toEqual([]);
    } finally {
      await shared.stop();
      await redis.close();
    }
  });

  it('follows a session created again under its id (a restarted server) from seq 0, telling onRestarted', async () => {
    const volatile = await BuiltServer.start({ SESSIONS_WS_INTERVAL_MS: '200' }); // memory store
    const volatileProxy = await TcpProxy.start(volatile.port);
    try {
      const volatileClient = new SessionsClient({ server: volatile.url });
      const logOf = async (id: string, prefix: string) => {
        await volatileClient.sessions.upsert(id, { appname: 'again' });
        await volatileClient.logs.append(
          id,
          Array.from({ length: 8 }, (_, i) => ({ message: `${prefix}${i}` })),
        );
      };
      // Created again before the follower is back, and after (the follower was refused meanwhile).
      const [before, after] = [
        (await volatileClient.sessions.create({ appname: 'before' })).id,
        (await volatileClient.sessions.create({ appname: 'after' })).id,
      ];
      await volatileClient.logs.append(before, [{ message: 'old0' }, { message: 'old1' }]);
      await volatileClient.logs.append(after, [{ message: 'old0' }, { message: 'old1' }]);
      const seen: Record<string, string[]> = { [before]: [], [after]: [] };
      const restarted: string[] = [];
      const socket = connect({ server: volatileProxy.url });
      for (const id of [before, after]) {
        socket.followLog(id, 0, {
          onEntries: (entries) => seen[id].push(...entries.map((entry) => `${entry.seq} ${entry.message}`)),
          onRestarted: () => restarted.push(id),
        });
      }
      await eventually(() => seen[before].length === 2 && seen[after].length === 2);
      // A list that shows both, received after they were followed: their `created` is noted.
      const listed: string[][] = [];
      socket.followSessions((list) => listed.push(list.sessions.map((session) => session.id)));
      await eventually(() => listed.some((ids) => ids.includes(before) && ids.includes(after)), 10_000, 'a list');

      volatileProxy.refusing = true;
      volatileProxy.cut();
      await volatile.restart();
      await logOf(before, 'new');
      volatileProxy.refusing = false;
      await eventually(() => restarted.includes(after), 30_000, 'the refusal of the session not created yet');
      await logOf(after, 'new');

      const expected = ['0 old0', '1 old1', ...Array.from({ length: 8 }, (_, i) => `${i} new${i}`)];
      await eventually(() => seen[before].length >= 10 && seen[after].length >= 10, 30_000, 'the new logs');
      expect(seen[before]).toEqual(expected);
      expect(seen[after]).toEqual(expected);
      expect(restarted.sort()).toEqual([before, after].sort());
    } finally {
      await volatileProxy.stop();
      await volatile.stop();
    }
  });

  it('with a sessionLookup, never resumes from its cursor inside a session created again: it starts over at seq 0', async () => {
    // The memory store; a list only on connect (and on creations): the follow, begun after it,
    // is in no list before the connection is lost, so the lists cannot tell that its session changed.
    const volatile = await BuiltServer.start({ SESSIONS_WS_INTERVAL_MS: '600000' });
    const volatileProxy = await TcpProxy.start(volatile.port);
    try {
      const volatileClient = new SessionsClient({ server: volatile.url });
      const { id } = await volatileClient.sessions.create({ appname: 'again' });
      await volatileClient.logs.append(id, [{ message: 'old0' }, { message: 'old1' }]);
      const seen: string[] = [];
      const restarted: (string | undefined)[] = [];
      const socket = connect({ server: volatileProxy.url, sessionLookup: volatileClient });
      let lists = 0;
      socket.followSessions(() => lists++);
      await eventually(() => lists > 0, 10_000, 'the list sent on connect');
      socket.followLog(id, 0, {
        onEntries: (entries) => seen.push(...entries.map((entry) => `${entry.seq} ${entry.message}`)),
        onRestarted: (created) => restarted.push(created),
      });
      await eventually(() => seen.length === 2);

      volatileProxy.refusing = true;
      volatileProxy.cut();
      await volatile.restart();
      // Created again before the follower is back: its new log has more entries than the cursor (2).
      const again = await volatileClient.sessions.upsert(id, { appname: 'again' });
      await volatileClient.logs.append(
        id,
        Array.from({ length: 6 }, (_, i) => ({ message: `new${i}` })),
      );
      volatileProxy.refusing = false;
      await eventually(() => seen.includes('5 new5'), 30_000, 'the new log');
      await new Promise((done) => setTimeout(done, 300));
      expect(seen).toEqual(['0 old0', '1 old1', ...Array.from({ length: 6 }, (_, i) => `${i} new${i}`)]);
      expect(restarted).toEqual([again.created]);
    } finally {
      await volatileProxy.stop();
      await volatile.stop();
    }
  });

  it('with a sessionLookup, goes on from the log s logCursor when its store went back (a lagging replica), telling onRewound', async () => {
    const redis = await RedisServer.start();
    let lagging: RedisServer | undefined;
    let own = await BuiltServer.start({ LOG_STORE: 'redis', REDIS_URL: redis.url });
    const ownProxy = await TcpProxy.start(own.port);
    try {
      const ownClient = new SessionsClient({ server: own.url });
      const { id } = await ownClient.sessions.create({ appname: 'went-back' });
      await ownClient.logs.append(id, [{ message: 'kept0' }, { message: 'kept1' }]);
      // A copy of the store as it is now, which then goes its own way.
      lagging = await redis.copy();
      await ownClient.logs.append(id, [{ message: 'gone2' }, { message: 'gone3' }]);
      const seen: string[] = [];
      const rewound: [number, number][] = [];
      connect({ server: ownProxy.url, sessionLookup: ownClient }).followLog(id, 0, {
        onEntries: (entries) => seen.push(...entries.map((entry) => `${entry.seq} ${entry.message}`)),
        onRewound: (logCursor, at) => rewound.push([logCursor, at]),
      });
      await eventually(() => seen.length === 4, 20_000, 'the first entries');

      ownProxy.refusing = true;
      ownProxy.cut();
      await own.stop();
      own = await BuiltServer.start({ LOG_STORE: 'redis', REDIS_URL: lagging.url }, own.port);
      ownProxy.refusing = false;
      // Appended once it has looked the session up again: from the logCursor it found (2) on.
      await eventually(() => rewound.length === 1, 30_000, 'the log that went back');
      await ownClient.logs.append(id, [{ message: 'new2' }, { message: 'new3' }, { message: 'new4' }]);
      await eventually(() => seen.includes('4 new4'), 20_000, 'the entries after it went back');
      expect(rewound).toEqual([[2, 4]]);
      expect(seen).toEqual(['0 kept0', '1 kept1', '2 gone2', '3 gone3', '2 new2', '3 new3', '4 new4']);
    } finally {
      await ownProxy.stop();
      await own.stop();
      await redis.close();
      await lagging?.close();
    }
  });

  it('with a sessionLookup, tells a follow whose cursor was seen (cursorSeen) that its log is shorter, and goes on from its end; without it, waits for the cursor', async () => {
    // As `tail -f` follows after reading the log over HTTP: its store went back while the follow's
    // first check was still asking (found by stop 52's CLI audit: `tail -f` waited for good).
    const { id } = await client.sessions.create({ appname: 'cursor-seen' });
    await append(id, 0, 2);
    const seen: Record<'told' | 'untold', number[]> = { told: [], untold: [] };
    const rewound: [number, number][] = [];
    const socket = connect({ sessionLookup: client });
    socket.followLog(
      id,
      5,
      {
        onEntries: (entries) => seen.told.push(...entries.map((entry) => entry.seq)),
        onRewound: (logCursor, at) => rewound.push([logCursor, at]),
      },
      { cursorSeen: true },
    );
    const untold = connect({ sessionLookup: client });
    untold.followLog(id, 5, {
      onEntries: (entries) => seen.untold.push(...entries.map((entry) => entry.seq)),
      onRewound: (logCursor, at) => rewound.push([logCursor, at]),
    });
    await eventually(() => rewound.length === 1, 20_000, 'the log found shorter');
    expect(rewound).toEqual([[2, 5]]);
    await append(id, 2, 4);
    await eventually(() => seen.told.length === 4 && seen.untold.length === 1, 20_000, 'the entries after');
    expect(seen).toEqual({ told: [2, 3, 4, 5], untold: [5] });
    expect(rewound).toHaveLength(1);
  });

  it('with a sessionLookup, holds entries until it answers (asked again), and tells one refusal though both say so', async () => {
    const id = (await client.sessions.create({ appname: 'held' })).id;
    await append(id, 0, 3);
    let answering = false;
    let asked = 0;
    const seen: number[] = [];
    const socket = connect({
      sessionLookup: async (lookedUp) => {
        asked++;
        if (!answering) throw new Error('no answer');
        return lookedUp === id ? client.sessions.get(lookedUp) : null;
      },
    });
    socket.followLog(id, 0, { onEntries: (entries) => seen.push(...entries.map((e) => e.seq)) });
    await eventually(() => asked >= 3, 10_000, 'the lookup asked again');
    expect(seen).toEqual([]);
    answering = true;
    await eventually(() => seen.length === 3, 10_000, 'the held entries');
    await append(id, 3, 1);
    await eventually(() => seen.length === 4);
    expect(seen).toEqual([0, 1, 2, 3]);

    const refusals: string[] = [];
    const missing = '0123456789abcdef01234567';
    socket.followLog(missing, 0, { onEntries: () => undefined, onRefused: (message) => refusals.push(message) });
    await eventually(() => refusals.length > 0);
    await new Promise((done) => setTimeout(done, 500)); // the other refusal, told to no one
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(new RegExp(`session ${missing} not found`));
  });

  it('aborts a sessionLookup in flight on close() and on stop(): a request nobody waits for must not hold the process', async () => {
    const id = (await client.sessions.create({ appname: 'lookup-aborted' })).id;
    const signals: AbortSignal[] = [];
    // A lookup that never answers (a wedged server): only its signal can end it.
    const sessionLookup = (_id: string, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<null>(() => undefined);
    };
    const closing = connect({ sessionLookup });
    closing.followLog(id, 0, { onEntries: () => undefined });
    await eventually(() => signals.length === 1, 10_000, 'the lookup');
    expect(signals[0].aborted).toBe(false);
    closing.close();
    expect(signals[0].aborted).toBe(true);

    const stopping = connect({ sessionLookup });
    const follow = stopping.followLog(id, 0, { onEntries: () => undefined });
    await eventually(() => signals.length === 2, 10_000, 'the second lookup');
    follow.stop();
    expect(signals[1].aborted).toBe(true);
  });

  it('tells onLookupError once per follow for each different failure of its sessionLookup until it answers again, not at every try', async () => {
    const id = (await client.sessions.create({ appname: 'lookup-fails' })).id;
    await append(id, 0, 2);
    // A server that is gone: a port nothing listens on any more.
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const { port } = closed.address() as { port: number };
    await new Promise((done) => closed.close(done));
    const gone = new SessionsClient({ server: `http://127.0.0.1:${port}` });
    let failing: 'gone' | 'throws' | false = 'gone';
    let asked = 0;
    const failures: [string, unknown][] = [];
    const seen: number[] = [];
    const refusals: string[] = [];
    const missing = '0123456789abcdef01234567';
    const socket = connect({
      sessionLookup: (lookedUp, signal) => {
        if (lookedUp === missing) return lookUpSession(client, lookedUp, signal); // answers: none
        asked++;
        if (failing === 'throws') throw new Error('the store is down');
        return lookUpSession(failing === 'gone' ? gone : client, lookedUp, signal);
      },
      onLookupError: (sessionId, error) => failures.push([sessionId, error]),
    });
    socket.followLog(id, 0, { onEntries: (entries) => seen.push(...entries.map((e) => e.seq)) });
    socket.followLog(missing, 0, { onEntries: () => undefined, onRefused: (message) => refusals.push(message) });
    await eventually(() => asked >= 4, 10_000, 'the lookup asked again and again');
    expect(failures).toHaveLength(1);
    expect(failures[0][0]).toBe(id);
    expect(failures[0][1]).toBeInstanceOf(NetworkError);
    expect(String(failures[0][1])).toMatch(`cannot reach http://127.0.0.1:${port}/sessions/${id}`);
    // Another failure is told too, once.
    failing = 'throws';
    const before = asked;
    await eventually(() => asked >= before + 3, 10_000, 'the lookup asked again, failing otherwise');
    expect(failures.map(([sessionId, error]) => [sessionId, String(error)])).toEqual([
      [id, String(failures[0][1])],
      [id, 'Error: the store is down'],
    ]);
    expect(seen).toEqual([]); // held all along
    failing = false;
    await eventually(() => seen.length === 2, 10_000, 'the held entries');
    // A lookup that answers that there is no such session failed in nothing: a refusal, told as one.
    await eventually(() => refusals.length > 0, 10_000, 'the refusal');
    expect(refusals[0]).toMatch(`session ${missing} not found`);

    // Once it answered, the same failure is news again: after a reconnect, it is told again.
    failing = 'gone';
    const answered = asked;
    proxy.cut();
    await eventually(() => asked >= answered + 3, 10_000, 'the lookups after the reconnect');
    expect(failures).toHaveLength(3);
    expect(failures[2][0]).toBe(id);
    expect(failures[2][1]).toBeInstanceOf(NetworkError);
    expect(failures.filter(([sessionId]) => sessionId === missing)).toEqual([]);
  });

  it('after a reconnect, looks every follow up in order, at most SESSION_LOOKUPS_IN_FLIGHT at once, each follow resuming', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3 * SESSION_LOOKUPS_IN_FLIGHT; i++) {
      ids.push((await client.sessions.create({ appname: `lookups-${i}` })).id);
    }
    let inFlight = 0;
    let most = 0;
    let asked: string[] = [];
    const sessionLookup = async (lookedUp: string, signal: AbortSignal) => {
      asked.push(lookedUp);
      most = Math.max(most, ++inFlight);
      try {
        return await lookUpSession(client, lookedUp, signal);
      } finally {
        inFlight--;
      }
    };
    const seen = new Map<string, number[]>(ids.map((id) => [id, []]));
    const states: string[] = [];
    const socket = connect({ sessionLookup, onConnection: (state) => states.push(state) });
    await eventually(() => socket.connected);
    for (const id of ids) {
      socket.followLog(id, 0, { onEntries: (entries) => seen.get(id)?.push(...entries.map((e) => e.seq)) });
    }
    await eventually(() => asked.length === ids.length && inFlight === 0, 20_000, 'the first lookups');
    expect(asked).toEqual(ids);
    expect(most).toBe(SESSION_LOOKUPS_IN_FLIGHT);

    asked = [];
    most = 0;
    proxy.refusing = true;
    proxy.cut();
    await eventually(() => states.includes('lost'));
    for (const id of ids) await append(id, 0, 1);
    proxy.refusing = false;
    await eventually(() => asked.length === ids.length && inFlight === 0, 20_000, 'the lookups after the reconnect');
    expect(asked).toEqual(ids);
    expect(most).toBe(SESSION_LOOKUPS_IN_FLIGHT);
    await eventually(() => ids.every((id) => seen.get(id)?.length === 1), 20_000, 'an entry of every session');
  });

  it('close() and stop() abort the lookups in flight and drop the waiting ones, never asked', async () => {
    const ids: string[] = [];
    for (let i = 0; i < SESSION_LOOKUPS_IN_FLIGHT + 4; i++) {
      ids.push((await client.sessions.create({ appname: `lookups-dropped-${i}` })).id);
    }
    // A lookup that never answers (a wedged server): only its signal ends it.
    const asked: { id: string; signal: AbortSignal }[] = [];
    const sessionLookup = (lookedUp: string, signal: AbortSignal) => {
      asked.push({ id: lookedUp, signal });
      return new Promise<null>(() => undefined);
    };
    const socket = connect({ sessionLookup });
    await eventually(() => socket.connected);
    const follows = ids.map((id) => socket.followLog(id, 0, { onEntries: () => undefined }));
    await eventually(() => asked.length === SESSION_LOOKUPS_IN_FLIGHT, 10_000, 'the first lookups');
    await new Promise((done) => setTimeout(done, 200)); // the others wait, not asked
    expect(asked.map((each) => each.id)).toEqual(ids.slice(0, SESSION_LOOKUPS_IN_FLIGHT));
    socket.close();
    expect(asked.every((each) => each.signal.aborted)).toBe(true);
    await new Promise((done) => setTimeout(done, 200)); // the waiting ones were dropped, not asked on the way out
    expect(asked).toHaveLength(SESSION_LOOKUPS_IN_FLIGHT);

    // Open again: the first ones are asked again; a waiting follow stopped is never asked, and a
    // lookup in flight stopped gives its place to the next one waiting.
    socket.open();
    await eventually(() => asked.length === 2 * SESSION_LOOKUPS_IN_FLIGHT, 10_000, 'the lookups on open()');
    follows[SESSION_LOOKUPS_IN_FLIGHT].stop();
    follows[0].stop();
    expect(asked[SESSION_LOOKUPS_IN_FLIGHT].signal.aborted).toBe(true);
    await eventually(() => asked.length === 2 * SESSION_LOOKUPS_IN_FLIGHT + 1, 10_000, 'the next lookup');
    await new Promise((done) => setTimeout(done, 200));
    expect(asked.slice(SESSION_LOOKUPS_IN_FLIGHT).map((each) => each.id)).toEqual([
      ...ids.slice(0, SESSION_LOOKUPS_IN_FLIGHT),
      ids[SESSION_LOOKUPS_IN_FLIGHT + 1],
    ]);
  });

  it('with a sessionLookup that does not answer for long, lets go of what it held and subscribes again from its cursor', async () => {
    const roomy = await BuiltServer.start({ LOG_CAPACITY: '100000' }); // every entry is kept
    try {
      const roomyClient = new SessionsClient({ server: roomy.url });
      const { id } = await roomyClient.sessions.create({ appname: 'held-long' });
      let answering = false;
      const subscriptions: unknown[] = [];
      const seen: number[] = [];
      const socket = connect({
        server: roomy.url,
        webSocket: (url, token) => {
          const opened = nodeWebSocketFactory(url, token);
          const send = opened.send.bind(opened);
          opened.send = (text) => {
            const { event, data } = JSON.parse(text);
            if (event === 'subscribe-log') subscriptions.push(data);
            send(text);
          };
          return opened;
        },
        sessionLookup: async (lookedUp) => {
          if (!answering) throw new Error('no answer');
          return roomyClient.sessions.get(lookedUp);
        },
      });
      socket.followLog(id, 0, { onEntries: (entries) => seen.push(...entries.map((e) => e.seq)) });
      const witness: number[] = [];
      connect({ server: roomy.url }).followLog(id, 0, {
        onEntries: (entries) => witness.push(...entries.map((e) => e.seq)),
      });
      for (let from = 0; from < 12_000; from += 4_000) {
        await roomyClient.logs.append(
          id,
          Array.from({ length: 4_000 }, (_, i) => ({ message: `m${from + i}` })),
        );
      }
      await eventually(() => witness.length === 12_000, 20_000, 'the witness');
      await new Promise((done) => setTimeout(done, 300)); // the follow has them too, held
      expect(seen).toEqual([]);
      answering = true;
      await eventually(() => seen.length === 12_000, 20_000, 'the entries once it answers');
      expect(seen).toEqual(Array.from({ length: 12_000 }, (_, i) => i));
      expect(subscriptions).toEqual([
        { id, cursor: 0 },
        { id, cursor: 0 },
      ]);
    } finally {
      await roomy.stop();
    }
  });

  it('refuses at once reconnect waits that would retry in a busy loop, or overflow a timer', () => {
    for (const [option, value] of [
      ['reconnectInitialMs', 0],
      ['reconnectInitialMs', -5],
      ['reconnectInitialMs', NaN],
      ['reconnectMaxMs', 0],
      ['reconnectMaxMs', Infinity],
      ['reconnectMaxMs', 2 ** 31],
    ] as const) {
      expect(() => connect({ lazy: true, [option]: value })).toThrow(
        new RangeError(`LiveClient: ${option} must be a number of ms from 1 to 2147483647, not ${value}`),
      );
    }
    expect(() => connect({ lazy: true, reconnectInitialMs: 1, reconnectMaxMs: 2 ** 31 - 1 })).not.toThrow();
  });

  it('refuses at once a follow the server could never serve: an id that is not an OID, a cursor not a count', () => {
    const socket = connect({ lazy: true });
    const handlers = { onEntries: () => undefined };
    expect(() => socket.followLog('nope', 0, handlers)).toThrow(
      'followLog: "nope" is not a session id (24 hexadecimal characters)',
    );
    for (const cursor of [-1, 1.5, NaN, Infinity]) {
      expect(() => socket.followLog('5f1b2c3d4e5f6a7b8c9d0e1f', cursor, handlers)).toThrow(
        `followLog: the cursor must be a non-negative integer, not ${cursor}`,
      );
    }
    expect(socket.followLog('5F1B2C3D4E5F6A7B8C9D0E1F', 0, handlers).id).toBe('5f1b2c3d4e5f6a7b8c9d0e1f');
  });

  it('follows more sessions than one connection may (WS_MAX_SUBSCRIPTIONS): the others on more connections', async () => {
    const limited = await BuiltServer.start({ WS_MAX_SUBSCRIPTIONS: '3' });
    try {
      const limitedClient = new SessionsClient({ server: limited.url });
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await limitedClient.sessions.create({ appname: `many-${i}` })).id);
      const seen = new Map<string, string[]>(ids.map((id) => [id, []]));
      const serverErrors: string[] = [];
      const socket = connect({ server: limited.url, onServerError: (message) => serverErrors.push(message) });
      const follows = ids.map((id) =>
        socket.followLog(id, 0, { onEntries: (entries) => seen.get(id)?.push(...entries.map((e) => e.message)) }),
      );
      for (const id of ids) await limitedClient.logs.append(id, { message: `first of ${id}` });
      await eventually(() => ids.every((id) => seen.get(id)?.length === 1), 20_000, 'an entry of every session');
      expect(ids.map((id) => seen.get(id))).toEqual(ids.map((id) => [`first of ${id}`]));
      expect(follows.map((follow) => follow.cursor)).toEqual(ids.map(() => 1));
      // A follow stopped, wherever it lives, gets nothing more; followed again from its cursor, it resumes.
      follows[7].stop();
      follows[0].stop();
      for (const id of ids) await limitedClient.logs.append(id, { message: `second of ${id}` });
      await eventually(() => ids.slice(1, 7).every((id) => seen.get(id)?.length === 2), 20_000, 'the second entries');
      socket.followLog(ids[7], 1, { onEntries: (entries) => seen.get(ids[7])?.push(...entries.map((e) => e.message)) });
      await eventually(() => seen.get(ids[7])?.length === 2, 20_000, 'the refollowed session');
      expect(seen.get(ids[0])).toEqual([`first of ${ids[0]}`]);
      expect(seen.get(ids[7])).toEqual([`first of ${ids[7]}`, `second of ${ids[7]}`]);
      // The refusals this takes care of are not errors to the user.
      expect(serverErrors).toEqual([]);
    } finally {
      await limited.stop();
    }
  });

  describe('a refusal past WS_MAX_SUBSCRIPTIONS that arrives after the follow changed', () => {
    let limited: BuiltServer;
    let limitedProxy: TcpProxy;
    let limitedClient: SessionsClient;
    let serverErrors: string[];
    let socket: LiveClient;
    /** A follow of `a`, served: it takes the connection's one subscription (WS_MAX_SUBSCRIPTIONS 1). */
    const holdingTheOneSubscription = async () => {
      const a = (await limitedClient.sessions.create({ appname: 'small-limit-a' })).id;
      const seen: string[] = [];
      socket.followLog(a, 0, { onEntries: (entries) => seen.push(...entries.map((e) => e.message)) });
      await limitedClient.logs.append(a, { message: 'served' });
      await eventually(() => seen.length === 1, 20_000, 'the first follow served');
    };
    /** Waits until the proxy holds `count` refusals of `id` past the limit, the server's answers to as many subscribe-logs. */
    const refusalsHeld = (id: string, count: number) =>
      eventually(
        () =>
          limitedProxy.heldText.split(`session ${id} not subscribed: this connection follows 1 sessions`).length >
          count,
        20_000,
        `${count} refusals held`,
      );

    beforeAll(async () => {
      limited = await BuiltServer.start({ WS_MAX_SUBSCRIPTIONS: '1' });
      limitedProxy = await TcpProxy.start(limited.port);
      limitedClient = new SessionsClient({ server: limited.url });
    });
    beforeEach(() => {
      serverErrors = [];
      socket = connect({ server: limitedProxy.url, onServerError: (message) => serverErrors.push(message) });
    });
    afterEach(() => limitedProxy.release());
    afterAll(async () => {
      await limitedProxy.stop();
      await limited.stop();
    });

    it('tells onServerError when the follow was stopped meanwhile: nothing was moved', async () => {
      await holdingTheOneSubscription();
      const b = (await limitedClient.sessions.create({ appname: 'small-limit-b' })).id;
      limitedProxy.hold();
      const follow = socket.followLog(b, 0, { onEntries: () => undefined });
      await refusalsHeld(b, 1);
      follow.stop();
      limitedProxy.release();
      await eventually(() => serverErrors.length > 0, 20_000, 'the refusal told to onServerError');
      expect(serverErrors).toEqual([
        `subscribe-log: session ${b} not subscribed: this connection follows 1 sessions, the most WS_MAX_SUBSCRIPTIONS (1) allows; unsubscribe-log one first`,
      ]);
    });

    it('tells nothing when an earlier refusal already moved the follow to another connection', async () => {
      await holdingTheOneSubscription();
      const b = (await limitedClient.sessions.create({ appname: 'small-limit-b' })).id;
      const seen: string[] = [];
      limitedProxy.hold();
      socket.followLog(b, 0, { onEntries: () => undefined });
      await refusalsHeld(b, 1);
      // Followed again: refused again, once the first refusal has moved this follow already.
      socket.followLog(b, 0, { onEntries: (entries) => seen.push(...entries.map((e) => e.message)) });
      await refusalsHeld(b, 2);
      limitedProxy.release();
      await limitedClient.logs.append(b, { message: 'on the other connection' });
      await eventually(() => seen.length === 1, 20_000, 'the entry through the moved follow');
      expect(seen).toEqual(['on the other connection']);
      expect(serverErrors).toEqual([]);
    });
  });

  it('subscribes again when the server refused a follow (no such session), or tells onRefused', async () => {
    const volatile = await BuiltServer.start(); // memory store: a restart forgets every session
    try {
      const volatileClient = new SessionsClient({ server: volatile.url });
      const id = (await volatileClient.sessions.create({ appname: 'lost' })).id;
      const seen: string[] = [];
      const refusals: string[] = [];
      const retrying = connect({ server: volatile.url });
      retrying.followLog(id, 0, { onEntries: (entries) => seen.push(...entries.map((entry) => entry.message)) });
      const told = connect({ server: volatile.url });
      told.followLog(id, 0, { onEntries: () => undefined, onRefused: (message) => refusals.push(message) });
      await eventually(() => retrying.connected && told.connected);
      await volatile.restart();
      await eventually(() => refusals.length > 0, 30_000, 'the refusal');
      expect(refusals[0]).toMatch(new RegExp(`session ${id} not found`));
      await volatileClient.sessions.upsert(id, { appname: 'lost' }); // created again, with the same id
      await volatileClient.logs.append(id, { message: 'again' });
      await eventually(() => seen.includes('again'), 30_000, 'the entry after the session came back');
    } finally {
      await volatile.stop();
    }
  });

  it('asks for a session the server keeps refusing later and later, though another follow is served meanwhile', async () => {
    const busy = (await client.sessions.create({ appname: 'busy' })).id;
    const missing = '0123456789abcdef0123abcd';
    const refusedAt: number[] = [];
    let served = 0;
    const socket = connect({
      reconnectInitialMs: 50,
      reconnectMaxMs: 3_000,
      onServerError: (message) => message.includes(missing) && refusedAt.push(Date.now()),
    });
    socket.followLog(busy, 0, { onEntries: (entries) => (served += entries.length) });
    socket.followLog(missing, 0, { onEntries: () => undefined });
    // Entries of the other session keep coming, between every two tries.
    let appending = true;
    const appender = (async () => {
      for (let seq = 0; appending; seq++) {
        await client.logs.append(busy, { message: `b${seq}` });
        await new Promise((done) => setTimeout(done, 10));
      }
    })();
    try {
      await eventually(() => refusedAt.length === 8, 30_000, 'eight refusals');
      expect(served).toBeGreaterThan(0);
      // The wait before the 8th try is at least half of min(3000, 50 * 2^6): it can only be later.
      expect(refusedAt[7] - refusedAt[6]).toBeGreaterThanOrEqual(1_500);
    } finally {
      appending = false;
      await appender;
    }
  });
});

describe('live client against two replicas on one Redis', () => {
  it('keeps a delta-mode list equal to the full listing across a restart of its replica, changes made through the other', async () => {
    const redis = await RedisServer.start();
    const env = { LOG_STORE: 'redis', REDIS_URL: redis.url, SESSIONS_WS_INTERVAL_MS: '60000' };
    const watched = await BuiltServer.start(env);
    const other = await BuiltServer.start(env);
    const live = new LiveClient({
      server: watched.url,
      webSocket: nodeWebSocketFactory,
      reconnectInitialMs: 50,
      reconnectMaxMs: 500,
    });
    try {
      const rest = new SessionsClient({ server: other.url });
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push((await rest.sessions.create({ appname: `replica-${i}` })).id);
      let last: SessionList | null = null;
      live.followSessions((list) => (last = list), 'delta');
      await eventually(() => last !== null, 10_000, 'the baseline');
      const restarting = watched.restart();
      for (const id of ids) await rest.logs.append(id, { message: 'while it restarts' });
      await restarting;
      await eventually(
        () => ids.every((id) => last?.sessions.find((session) => session.id === id)?.logCursor === 1),
        15_000,
        'the appends in the list',
      );
      // Both changes now come as deltas (no baseline after them).
      await rest.sessions.end(ids[3]);
      await rest.sessions.create({ appname: 'replica-late' });
      // The replicas' own sessions log all the time: the others must match exactly, in order.
      const ours = (list: SessionList | null) =>
        (list?.sessions ?? [])
          .filter((session) => session.appname.startsWith('replica-'))
          .map(({ id, status, logCursor, updated }) => ({ id, status, logCursor, updated }));
      let listed: ReturnType<typeof ours> = [];
      await eventually(
        async () => {
          listed = ours(await rest.sessions.list('all'));
          return JSON.stringify(ours(last)) === JSON.stringify(listed);
        },
        15_000,
        'the delta-mode list to equal the listing',
      );
      expect(ours(last)).toEqual(listed);
      expect(listed).toHaveLength(21);
      expect(listed.find((session) => session.id === ids[3])).toMatchObject({ status: 'ended', logCursor: 1 });
    } finally {
      live.close();
      await watched.stop();
      await other.stop();
      await redis.stop();
    }
  });
});
