import { formatSubscribeLogRefusal } from '@zen/contract';
import { appendLines, JSON_HEADERS, oid, WsTestClient } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';
import { LogFollowers } from './log-followers';

describe('WS_MAX_SUBSCRIPTIONS (real server)', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp({ WS_MAX_SUBSCRIPTIONS: '3' });
    for (let i = 1; i <= 5; i++) {
      const res = await fetch(`${server.url}/sessions/${oid(i)}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"followed"}',
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => server.close());

  const errors = (client: WsTestClient) =>
    client.frames
      .filter((frame) => frame.event === 'error')
      .map((frame) => (frame.data as { message: string }).message);
  /** Appends `line` to each session in turn, each acknowledged before the next is sent. */
  const appendEach = async (line: string, ids: string[]) => {
    for (const id of ids) {
      expect((await appendLines(server.url, id, [line])).status).toBe(200);
    }
  };
  /** The sessions whose `line` the client was sent, in the order their log events came. */
  const toldOf = (client: WsTestClient, line: string) =>
    client
      .of('log')
      .filter((event) => event.entries.some((entry) => entry.message === line))
      .map((event) => event.id);
  /** toldOf, once `count` sessions have told it (after 10 s without, what came: the assertion says which). */
  const told = async (client: WsTestClient, line: string, count: number) => {
    await client.until(() => toldOf(client, line).length >= count).catch(() => undefined);
    return toldOf(client, line);
  };

  it('refuses a connection one follow more, naming the limit, and keeps the ones it has', async () => {
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.opened();
    for (let i = 1; i <= 4; i++) client.send('subscribe-log', { id: oid(i) });
    await client.until((frames) => frames.some((frame) => frame.event === 'error'));
    const why =
      'this connection follows 3 sessions, the most WS_MAX_SUBSCRIPTIONS (3) allows; unsubscribe-log one first';
    expect(errors(client)).toEqual([formatSubscribeLogRefusal({ id: oid(4), reason: 'not subscribed', why })]);
    const followers = server.app.get(LogFollowers);
    expect(followers.subscriptionCount()).toBe(3);
    // Which three: the first ones (a line appended to each session, those it should not follow first).
    await appendEach('kept', [oid(4), oid(5), oid(1), oid(2), oid(3)]);
    expect(await told(client, 'kept', 3)).toEqual([oid(1), oid(2), oid(3)]);
    // Subscribing again to one it follows replaces it; after an unsubscribe-log, another fits.
    client.send('subscribe-log', { id: oid(2), cursor: 0 });
    client.send('unsubscribe-log', { id: oid(1) });
    client.send('subscribe-log', { id: oid(5) });
    // Another connection has its own.
    const other = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await other.opened();
    other.send('subscribe-log', { id: oid(4) });
    for (let i = 0; i < 100 && followers.subscriptionCount() !== 4; i++) await new Promise((r) => setTimeout(r, 20));
    expect(followers.subscriptionCount()).toBe(4);
    expect(errors(client)).toHaveLength(1);
    expect(errors(other)).toEqual([]);
    // The client follows 2, 3 and 5 now, the other connection 4: a line to each session, then
    // one more to 4, which the other connection gets after any other line it was sent.
    await appendEach('then', [oid(1), oid(2), oid(3), oid(4), oid(5)]);
    await appendEach('done', [oid(4)]);
    expect(await told(client, 'then', 3)).toEqual([oid(2), oid(3), oid(5)]);
    await told(other, 'done', 1);
    expect(toldOf(other, 'then')).toEqual([oid(4)]);
    client.close();
    other.close();
  });
});
