import { ServerMessage, Session, SessionList, SessionsDeltaData } from '@zen/contract';
import fc from 'fast-check';
import WebSocket from 'ws';
import { oid, WsTestClient } from '@zen/testing';
import { SessionRecord } from '@zen/log-store';
import { replay } from '../testing/delta-replay';
import { RunningApp, startApp } from '../testing/running-app';
import { deltaFrameOf, PendingChange } from './sessions-feed';

// Real servers on a machine that may be busy: conditions are polled with generous deadlines.
jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const deltas = (frames: ServerMessage[]) =>
  frames.flatMap((frame) => (frame.event === 'sessions-delta' ? [frame.data as SessionsDeltaData] : []));
const listings = (frames: ServerMessage[]) =>
  frames.flatMap((frame) => (frame.event === 'sessions' ? [frame.data as SessionList] : []));

class Api {
  constructor(private readonly server: RunningApp) {}

  async call(method: string, path: string, body?: string, type = 'application/json'): Promise<Response> {
    const res = await fetch(`${this.server.url}/sessions/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': type },
      body,
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  }

  create = (id: string, fields: object = { appname: 'feed' }) => this.call('POST', id, JSON.stringify(fields));
  update = (id: string, fields: object) => this.call('PUT', id, JSON.stringify(fields));
  heartbeat = (id: string) => this.call('POST', id, '{}');
  append = (id: string, lines: string[]) => this.call('POST', `${id}/log`, lines.join('\n'), 'text/plain');
  end = (id: string) => this.call('DELETE', id);

  async list(): Promise<Session[]> {
    const res = await this.call('GET', '?status=all');
    return ((await res.json()) as SessionList).sessions;
  }
}

/**
 * Connects, waits for the connect-time listing, subscribes, and returns once the server
 * has handled the subscribe (from then on every change reaches the client) and a further
 * listing has come. That listing is the baseline unless a full-mode listing (periodic or
 * prompt) crossed the subscribe; then the baseline follows, before any delta.
 */
async function deltaClient(server: RunningApp): Promise<WsTestClient> {
  const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
  await client.until((frames) => listings(frames).length >= 1);
  client.send('subscribe-sessions', { mode: 'delta' });
  // Messages are handled in order: the error for this bad frame means the subscribe was handled.
  client.ws.send('{');
  await client.until((frames) => frames.some((frame) => frame.event === 'error'));
  await client.until((frames) => listings(frames).length >= 2);
  return client;
}

/** The frames from the first `sessions-delta` on: a delta client's baseline precedes them all. */
const sinceFirstDelta = (frames: ServerMessage[]) => {
  const first = frames.findIndex((frame) => frame.event === 'sessions-delta');
  return first < 0 ? [] : frames.slice(first);
};

/** Waits until what the client holds equals the listing the server answers (the server settles once idle). */
async function converged(client: WsTestClient, api: Api): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [held, truth] = [replay(client.frames), await api.list()];
    if (JSON.stringify(held) === JSON.stringify(truth)) return;
    if (Date.now() > deadline) expect(held).toEqual(truth);
    await sleep(50);
  }
}

describe('sessions feed: delta mode', () => {
  let server: RunningApp;
  let api: Api;
  beforeAll(async () => {
    // A short periodic interval: were delta clients still sent full lists, they would show.
    server = await startApp({ SESSIONS_WS_INTERVAL_MS: '100', SESSIONS_WS_DELTA_MS: '50', SESSIONS_RETAIN_ENDED: '1' });
    api = new Api(server);
  });
  afterAll(() => server.close());

  it('sends a baseline, then the whole session on create, update, append and end, and the id on removal', async () => {
    const client = await deltaClient(server);
    const [a, b] = [oid(0xa1), oid(0xb1)];
    expect(replay(client.frames).map((session) => session.id)).not.toContain(a);
    const upsertOf = (id: string, check: (session: Session) => boolean) => () =>
      deltas(client.frames).some((delta) => delta.upserted.some((session) => session.id === id && check(session)));

    await api.create(a, { appname: 'feed', mode: 'm1' });
    await client.until(upsertOf(a, (session) => session.mode === 'm1' && session.status === 'active'));
    const created = deltas(client.frames).find((delta) => delta.upserted.some((session) => session.id === a));
    expect(created?.removed).toEqual([]);
    expect(created?.upserted.find((session) => session.id === a)).toEqual(
      await (await api.call('GET', a)).json().then((session) => ({ ...session, updated: expect.any(String) })),
    );

    await api.update(a, { mode: 'm2', metadata: { k: 'v' } });
    await client.until(upsertOf(a, (session) => session.mode === 'm2' && session.metadata['k'] === 'v'));

    await api.append(a, ['one', 'two', 'three']);
    await client.until(upsertOf(a, (session) => session.logCount === 3 && session.logCursor === 3));

    await api.end(a);
    await client.until(upsertOf(a, (session) => session.status === 'ended' && session.endReason === 'deleted'));

    // Retention 1: ending b forgets a.
    await api.create(b);
    await api.end(b);
    await client.until((frames) => deltas(frames).some((delta) => delta.removed.includes(a)));
    await converged(client, api);
    expect(replay(client.frames).map((session) => session.id)).not.toContain(a);
    // No periodic full list after the baseline, though the interval is 100 ms.
    await sleep(500);
    expect(listings(sinceFirstDelta(client.frames))).toEqual([]);
    client.close();
  });

  it('replays onto the baseline as exactly the full listing, after any sequence of changes', async () => {
    const client = await deltaClient(server);
    let next = 0x1000;
    const known: string[] = [];
    const operation = fc.oneof(
      fc.constant({ kind: 'create' as const, pick: 0 }),
      ...(['update', 'heartbeat', 'append', 'end'] as const).map((kind) =>
        fc.record({ kind: fc.constant(kind), pick: fc.nat() }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(operation, { minLength: 1, maxLength: 6 }), { maxLength: 5 }),
        async (runs) => {
          // Each run's operations go out at once, so several land in one window.
          for (const run of runs) {
            await Promise.all(
              run.map((op) => {
                if (op.kind === 'create' || known.length === 0) {
                  const id = oid(next++);
                  known.push(id);
                  return api.create(id, { appname: `app${next % 3}` });
                }
                const id = known[op.pick % known.length];
                const ignoreEnded = (request: Promise<Response>) => request.catch(() => undefined);
                if (op.kind === 'update') return ignoreEnded(api.update(id, { mode: `m${op.pick}` }));
                if (op.kind === 'heartbeat') return ignoreEnded(api.heartbeat(id));
                if (op.kind === 'append') return ignoreEnded(api.append(id, [`line ${op.pick}`]));
                return ignoreEnded(api.end(id));
              }),
            );
          }
          await converged(client, api);
        },
      ),
      { numRuns: 8 },
    );
    expect(listings(sinceFirstDelta(client.frames))).toEqual([]);
    client.close();
  }, 120_000);

  it('serves a subscribe sent right on connect: a listing, then deltas onto it', async () => {
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.opened();
    client.send('subscribe-sessions', { mode: 'delta' });
    await client.until((frames) => listings(frames).length >= 1);
    await api.create(oid(0xc2));
    await client.until((frames) => deltas(frames).some((delta) => delta.upserted.some((s) => s.id === oid(0xc2))));
    await converged(client, api);
    expect(listings(sinceFirstDelta(client.frames))).toEqual([]);
    client.close();
  });

  it('goes back to periodic full lists with mode full', async () => {
    const client = await deltaClient(server);
    client.send('subscribe-sessions', { mode: 'full' });
    client.ws.send('{');
    await client.until((frames) => frames.filter((frame) => frame.event === 'error').length === 2);
    const count = listings(client.frames).length;
    // One listing at once, then one every 100 ms.
    await client.until((frames) => listings(frames).length >= count + 3);
    const deltasBefore = deltas(client.frames).length;
    await api.create(oid(0xd1));
    await client.until((frames) => listings(frames).some((list) => list.sessions.some((s) => s.id === oid(0xd1))));
    await sleep(300);
    expect(deltas(client.frames)).toHaveLength(deltasBefore);
    client.close();
  });
});

describe('sessions feed: a subscribe-sessions sent right on connect', () => {
  let server: RunningApp;
  let api: Api;
  beforeAll(async () => {
    // No periodic listing within the test: every listing a client gets is its connect listing or its baseline.
    server = await startApp({ SESSIONS_WS_INTERVAL_MS: '60000', SESSIONS_WS_DELTA_MS: '50' });
    api = new Api(server);
  });
  afterAll(() => server.close());

  it('gets the connect listing and then the baseline, as two sessions events, then deltas', async () => {
    // API.md: a `sessions` event "at once on connect", and the subscribe "answers at once with one
    // full `sessions` event". With Redis the connect listing was often still being read when the
    // subscribe came, and one listing served both: a client awaiting the second waited for ever.
    const beside = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await beside.until((frames) => listings(frames).length >= 1);
    const clients = Array.from({ length: 8 }, () => new WsTestClient(`${server.wsUrl}/sessions/ws`));
    await Promise.all(clients.map((client) => client.opened()));
    for (const client of clients) client.send('subscribe-sessions', { mode: 'delta' });
    for (const client of clients) await client.until((frames) => listings(frames).length >= 2);
    // The second is the baseline: the next change comes as a delta onto it, and no listing follows.
    const id = oid(0xc3);
    await api.create(id);
    for (const client of clients) {
      await client.until((frames) => deltas(frames).some((delta) => delta.upserted.some((s) => s.id === id)));
      expect(listings(client.frames)).toHaveLength(2);
      client.close();
    }
    beside.close();
  });
});

describe('sessions feed: windows', () => {
  it('coalesces the changes of one window into one event', async () => {
    const server = await startApp({ SESSIONS_WS_DELTA_MS: '2000' });
    const api = new Api(server);
    try {
      const client = await deltaClient(server);
      const ids = [oid(0xe1), oid(0xe2), oid(0xe3)];
      await Promise.all(ids.map((id) => api.create(id)));
      await client.until((frames) => deltas(frames).length >= 1);
      const [delta] = deltas(client.frames);
      // Newest created first: the order the listing has.
      const order = (await api.list()).map((session) => session.id).filter((id) => ids.includes(id));
      expect(delta.upserted.map((session) => session.id).filter((id) => ids.includes(id))).toEqual(order);
      expect(order).toHaveLength(3);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('sends nothing while the server is quiet, and a fresh baseline for a second subscribe', async () => {
    // Nothing changes and the periodic listing is a minute away: the counts are exact.
    const server = await startApp({ SESSIONS_WS_DELTA_MS: '20', SESSIONS_WS_INTERVAL_MS: '60000' });
    const api = new Api(server);
    try {
      const client = await deltaClient(server);
      const count = client.frames.length;
      await sleep(1000);
      expect(client.frames).toHaveLength(count);
      expect(listings(client.frames)).toHaveLength(2);
      client.send('subscribe-sessions', { mode: 'delta' });
      await client.until((frames) => listings(frames).length === 3);
      await api.create(oid(0xc1));
      await client.until((frames) => deltas(frames).length > 0);
      await converged(client, api);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('gives full-list clients a prompt listing after a create and an end, never twice in a window', async () => {
    // The periodic listing is a minute away: what arrives is the prompt one.
    const server = await startApp({ SESSIONS_WS_DELTA_MS: '500', SESSIONS_WS_INTERVAL_MS: '60000' });
    const api = new Api(server);
    try {
      const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
      await client.until((frames) => listings(frames).length === 1);
      const holds = (id: string, status: string) => (frames: ServerMessage[]) =>
        listings(frames).some((list) => list.sessions.some((s) => s.id === id && s.status === status));
      await api.create(oid(0xf1));
      await client.until(holds(oid(0xf1), 'active'));
      await api.end(oid(0xf1));
      await client.until(holds(oid(0xf1), 'ended'));

      const start = Date.now();
      const count = listings(client.frames).length;
      const ids = Array.from({ length: 8 }, (_, i) => oid(0xf10 + i));
      for (const id of ids) await api.create(id);
      await client.until((frames) => ids.every((id) => holds(id, 'active')(frames)));
      await sleep(600);
      const prompt = client.received.filter((frame) => frame.message.event === 'sessions').slice(count);
      const elapsed = Date.now() - start;
      expect(prompt.length).toBeLessThanOrEqual(Math.floor(elapsed / 500) + 1);
      client.close();
    } finally {
      await server.close();
    }
  });
});

describe('sessions feed: bad subscribe-sessions payloads', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp()));
  afterAll(() => server.close());

  it.each([
    ['no data', undefined, 'data must be an object'],
    ['a string', 'delta', 'data must be an object'],
    ['an array', ['delta'], 'data must be an object'],
    ['null', null, 'data must be an object'],
    ['no mode', {}, 'data.mode must be "delta" or "full" (got no mode)'],
    ['an unknown mode', { mode: 'partial' }, 'data.mode must be "delta" or "full" (got "partial")'],
    ['a mode in upper case', { mode: 'DELTA' }, 'data.mode must be "delta" or "full" (got "DELTA")'],
    ['a number as mode', { mode: 1 }, 'data.mode must be "delta" or "full" (got 1)'],
    ['a null mode', { mode: null }, 'data.mode must be "delta" or "full" (got null)'],
    ['an object as mode', { mode: { mode: 'delta' } }, 'data.mode must be "delta" or "full" (got {"mode":"delta"})'],
  ])('answers %s with an error event naming the problem and keeps the connection', async (_name, data, message) => {
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.until((frames) => listings(frames).length >= 1);
    client.send('subscribe-sessions', data);
    await client.until((frames) => frames.some((frame) => frame.event === 'error'));
    // The contract's error event, `{"event": "error", "data": {"message": "..."}}`, and nothing else.
    const error = client.frames.find((frame) => frame.event === 'error');
    expect(error).toEqual({ event: 'error', data: { message: `subscribe-sessions: ${message}` } });
    client.send('subscribe-sessions', { mode: 'delta' });
    await client.until((frames) => listings(frames).length >= 2);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it('quotes a long bad mode only in part', async () => {
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.until((frames) => listings(frames).length >= 1);
    client.send('subscribe-sessions', { mode: 'x'.repeat(10_000) });
    await client.until((frames) => frames.some((frame) => frame.event === 'error'));
    const { message } = client.of('error')[0];
    expect(message).toMatch(/^subscribe-sessions: data\.mode must be "delta" or "full" \(got "x+…$/);
    expect(message.length).toBeLessThan(200);
    client.close();
  });
});

describe('sessions feed: a delta client that stops reading', () => {
  let server: RunningApp;
  let api: Api;
  beforeAll(async () => {
    server = await startApp({
      WS_MAX_BUFFERED_BYTES: '1024',
      SESSIONS_WS_DELTA_MS: '20',
      SESSIONS_WS_INTERVAL_MS: '100',
    });
    api = new Api(server);
  });
  afterAll(() => server.close());

  it('is skipped, then gets a fresh baseline once it drains, and ends with the right list', async () => {
    const slow = await deltaClient(server);
    const fast = await deltaClient(server);
    slow.pause();
    // 20 sessions of ~60 KB metadata: each round of heartbeats is a ~1.2 MB delta; 12 MB in all
    // is more than loopback socket buffers hold, so the server's queue for the slow client grows.
    const ids = Array.from({ length: 20 }, (_, i) => oid(0x5000 + i));
    const metadata = { blob: 'z'.repeat(60_000) };
    await Promise.all(ids.map((id) => api.create(id, { appname: 'slow', metadata })));
    for (let round = 0; round < 10; round++) {
      await Promise.all(ids.map((id) => api.heartbeat(id)));
      await fast.until((frames) => deltas(frames).length > round);
    }
    await converged(fast, api);
    expect(listings(sinceFirstDelta(fast.frames))).toEqual([]);
    slow.resume();
    // Skipped, it is sent a fresh baseline: a listing after deltas.
    await slow.until((frames) => listings(sinceFirstDelta(frames)).length >= 1, 20_000);
    await converged(slow, api);
    slow.close();
    fast.close();
  }, 60_000);
});

/** A `ws` client keeping every frame as the text it arrived as. */
async function rawClient(server: RunningApp): Promise<{ texts: string[]; ws: WebSocket }> {
  const ws = new WebSocket(`${server.wsUrl}/sessions/ws`);
  const texts: string[] = [];
  ws.on('message', (data) => texts.push(data.toString()));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  return { texts, ws };
}

async function until(what: string, holds: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('sessions feed: full-mode listings', () => {
  it('carry every change since the last one, even those that bring no prompt listing, as the same bytes to every client', async () => {
    // The listing frame is reused while nothing changes: an append or an update must still show at the next push.
    const server = await startApp({ SESSIONS_WS_INTERVAL_MS: '100' });
    const api = new Api(server);
    const id = oid(0x1a1);
    try {
      await api.create(id);
      const [a, b] = [await rawClient(server), await rawClient(server)];
      const sessionIn = (text: string) =>
        (JSON.parse(text).data as SessionList).sessions.find((session) => session.id === id);
      const lastHas = (texts: string[], check: (session: Session) => boolean) => {
        const session = texts.length > 0 ? sessionIn(texts[texts.length - 1]) : undefined;
        return session !== undefined && check(session);
      };
      await until('the session listed', () => lastHas(a.texts, () => true));

      await api.append(id, ['one', 'two']);
      await until('the append listed', () => lastHas(a.texts, (session) => session.logCursor === 2));
      await api.update(id, { jobid: 'job-7' });
      await until('the update listed', () => lastHas(a.texts, (session) => session.jobid === 'job-7'));
      // The listing the HTTP API answers, pushed to both clients byte for byte.
      const latest = a.texts[a.texts.length - 1];
      expect(sessionIn(latest)).toEqual((await api.list()).find((session) => session.id === id));
      await until('the same bytes at the other client', () => b.texts.includes(latest));
      a.ws.close();
      b.ws.close();
    } finally {
      await server.close();
    }
  });
});

describe('sessions feed: the order of sessions created in one window', () => {
  const now = Date.now();
  const record = (id: string, at: number, order: number) =>
    SessionRecord.create({ id, fields: { appname: 'x' }, clientAddress: null }, at, order);
  const createdIn = (ids: string[]) =>
    new Map<string, PendingChange>(ids.map((id) => [id, { removed: false, created: true }]));
  const upserted = (frame: Buffer) =>
    (JSON.parse(frame.toString()).data as SessionsDeltaData).upserted.map((session) => session.id);

  it('is newest created first, as a listing sorts, even when their creates were reported in another order', () => {
    // Created through two replicas at once: the later-stamped one reported first.
    const [first, second, third] = [oid(0xc1), oid(0xc2), oid(0xc3)];
    const records = [record(first, now + 5, 1), record(second, now, 2), record(third, now, 3)];
    const frame = deltaFrameOf([first, second, third], records, createdIn([first, second, third]));
    // By created, then (equal created) the later create first.
    expect(upserted(frame)).toEqual([first, third, second]);
  });

  it("breaks ties of created by the store's creation order, not by the order the creates were reported", () => {
    // Two replicas created these in the same millisecond: the store numbered `early` first, but
    // its create's report reached this replica after `late`'s. A listing puts the higher order
    // first (`late`), so the delta must too: a client puts them on top in the delta's order.
    const [late, early] = [oid(0xd1), oid(0xd2)];
    const records = [record(late, now, 8), record(early, now, 7)];
    const frame = deltaFrameOf([late, early], records, createdIn([late, early]));
    expect(upserted(frame)).toEqual([late, early]);
    // Reported the other way round, the same answer: only the records decide.
    expect(upserted(deltaFrameOf([early, late], [...records].reverse(), createdIn([early, late])))).toEqual([
      late,
      early,
    ]);
  });

  it('lists the sessions created in the window before the other changed ones, and names the removed', () => {
    const [changed, created, gone] = [oid(0xe1), oid(0xe2), oid(0xe3)];
    const changes = new Map<string, PendingChange>([
      [changed, { removed: false, created: false }],
      [created, { removed: false, created: true }],
      [gone, { removed: true, created: false }],
    ]);
    const records = [record(changed, now + 9, 1), record(created, now, 2), undefined];
    const frame = JSON.parse(deltaFrameOf([changed, created, gone], records, changes).toString());
    expect(frame.data.upserted.map((session: Session) => session.id)).toEqual([created, changed]);
    expect(frame.data.removed).toEqual([gone]);
  });
});
