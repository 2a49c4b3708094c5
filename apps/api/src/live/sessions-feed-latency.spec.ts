import { SessionsDeltaData } from '@zen/contract';
import { JSON_HEADERS, oid, rawRequest } from '@zen/testing';
import WebSocket from 'ws';
import { RunningApp, startApp } from '../testing/running-app';

/**
 * The contract's promise with many sessions: a create or an end reaches a full-list
 * client (a `sessions` event) and a delta client (a `sessions-delta` event) within
 * SESSIONS_WS_DELTA_MS, measured from the HTTP answer. The listing of thousands of
 * sessions takes a while to build and send, which the window must leave room for.
 *
 * The window is 1 s, not the default 100 ms: the machine running this may be busy (CI runs
 * the api suites in parallel workers), and the clients share the server's process; a stall
 * of a few tens of ms there is not the feed's doing. At this length the fixed 20 ms the feed
 * used to leave happened to suffice on an idle machine; at 300–500 ms it did not (7–9 of 32
 * events late, by up to 37 ms), which is what moved the window's close to what its events take.
 */
const SESSIONS = 3000;
const WINDOW_MS = 1000;
const ROUNDS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Frames as they came, with the time each arrived: not parsed (a listing is a megabyte), only searched. */
class TimedClient {
  readonly frames: { at: number; text: string }[] = [];
  readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (raw: Buffer) => this.frames.push({ at: performance.now(), text: raw.toString() }));
  }

  /** When the first frame after `since` that `matches` arrived. */
  async arrival(since: number, matches: (text: string) => boolean, timeoutMs = 10_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (let checked = 0; ; ) {
      for (; checked < this.frames.length; checked++) {
        const frame = this.frames[checked];
        if (frame.at >= since && matches(frame.text)) return frame.at;
      }
      if (performance.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms`);
      await sleep(5);
    }
  }
}

/** Whether a `sessions` frame lists session `id` with `status`. */
const listed = (id: string, status: string) => (text: string) => {
  if (!text.startsWith('{"event":"sessions",')) return false;
  const at = text.indexOf(`{"id":"${id}"`);
  return at >= 0 && text.slice(at, text.indexOf('"created"', at)).includes(`"status":"${status}"`);
};

/** Whether a `sessions-delta` frame upserts session `id` with `status`. */
const upserted = (id: string, status: string) => (text: string) =>
  text.startsWith('{"event":"sessions-delta",') &&
  (JSON.parse(text).data as SessionsDeltaData).upserted.some(
    (session) => session.id === id && session.status === status,
  );

describe(`sessions feed with ${SESSIONS} sessions`, () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startApp({ SESSIONS_WS_DELTA_MS: String(WINDOW_MS) });
    const body = JSON.stringify({ appname: 'latency', mode: 'many', metadata: { project: 'Lyra', platform: 'Win64' } });
    // Each on a connection of its own: on a loaded machine a group outlasted the server's 5 s
    // keep-alive, and fetch sent the next create on a connection the server was closing (ECONNRESET).
    for (let i = 0; i < SESSIONS; i += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          rawRequest(`${server.url}/sessions/${oid(0x100000 + i + j)}`, 'POST', JSON_HEADERS, body),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    }
  }, 120_000);
  afterAll(() => server.close());

  it(`brings creates and ends to full-list and delta clients within SESSIONS_WS_DELTA_MS (${WINDOW_MS} ms), at most one change late by a stall`, async () => {
    const full = new TimedClient(`${server.wsUrl}/sessions/ws`);
    const delta = new TimedClient(`${server.wsUrl}/sessions/ws`);
    await Promise.all([
      full.arrival(0, (text) => text.startsWith('{"event":"sessions",')),
      delta.arrival(0, () => true),
    ]);
    delta.ws.send(JSON.stringify({ event: 'subscribe-sessions', data: { mode: 'delta' } }));
    await delta.arrival(performance.now(), (text) => text.startsWith('{"event":"sessions",'));

    const late: string[] = [];
    const latencies: number[] = [];
    const measure = async (what: string, call: () => Promise<Response>, id: string, status: string) => {
      const res = await call();
      const answered = performance.now();
      expect(res.status).toBeLessThan(300);
      const [toFull, toDelta] = await Promise.all([
        full.arrival(answered, listed(id, status)),
        delta.arrival(answered, upserted(id, status)),
      ]);
      for (const [client, at] of [
        ['full', toFull],
        ['delta', toDelta],
      ] as const) {
        latencies.push(at - answered);
        if (at - answered > WINDOW_MS)
          late.push(`${what} ${id} reached the ${client} client after ${Math.round(at - answered)} ms`);
      }
    };
    for (let round = 0; round < ROUNDS; round++) {
      const id = oid(0xf00000 + round);
      // Changes land at different points of the periodic listing's second and of the windows.
      await sleep((137 * round) % 1000);
      await measure(
        'create',
        () =>
          fetch(`${server.url}/sessions/${id}`, {
            method: 'POST',
            headers: JSON_HEADERS,
            body: '{"appname":"latency"}',
          }),
        id,
        'active',
      );
      await sleep((97 * round) % 800);
      await measure('end', () => fetch(`${server.url}/sessions/${id}`, { method: 'DELETE' }), id, 'ended');
    }
    full.ws.close();
    delta.ws.close();
    const all = latencies
      .map(Math.round)
      .sort((x, y) => x - y)
      .join(' ');
    // One change late (both its events: one stall delays one window) is tolerated, as a
    // busy machine's scheduling rather than the feed.
    const lateChanges = new Set(late.map((text) => text.split(' reached')[0]));
    expect({ late: lateChanges.size <= 1 ? [] : late, all }).toEqual({ late: [], all });
  }, 120_000);
});
