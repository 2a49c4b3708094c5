import { TestBed } from '@angular/core/testing';
import { FakeSocket, openLiveSocket, provideFakeSockets } from '../testing/fake-socket';
import { session } from '../testing/sessions';
import { LiveConnection } from './live-connection';
import { SessionsFeed } from './sessions-feed';

const SERVER = 'f'.repeat(24);

describe('SessionsFeed', () => {
  let feed: SessionsFeed;
  const ids = () => feed.list()?.sessions.map((s) => s.appname);

  beforeEach(() => {
    jest.useFakeTimers();
    TestBed.configureTestingModule({ providers: [provideFakeSockets()] });
    feed = TestBed.inject(SessionsFeed);
    openLiveSocket();
  });

  afterEach(() => jest.useRealTimers());

  it('asks for the delta mode on every connect', () => {
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-sessions', data: { mode: 'delta' } }]);
    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-sessions', data: { mode: 'delta' } }]);
  });

  it('applies sessions-delta events to the baseline: new first, changed in place, forgotten removed', () => {
    const a = session({ appname: 'a', created: '2026-11-24T12:00:01.000Z' });
    const b = session({ appname: 'b', created: '2026-11-24T12:00:02.000Z' });
    FakeSocket.latest().push({ event: 'sessions', data: { sessions: [b, a], serverSessionId: SERVER } });
    expect(ids()).toEqual(['b', 'a']);

    const c = session({ appname: 'c', created: '2026-11-24T12:00:03.000Z' });
    FakeSocket.latest().push({ event: 'sessions-delta', data: { upserted: [c], removed: [] } });
    expect(ids()).toEqual(['c', 'b', 'a']);

    const endedA = { ...a, status: 'ended' as const, ended: '2026-11-24T12:00:04.000Z', endReason: 'deleted' as const };
    FakeSocket.latest().push({ event: 'sessions-delta', data: { upserted: [endedA], removed: [b.id] } });
    expect(feed.list()?.sessions).toEqual([c, endedA]);
    expect(feed.list()?.serverSessionId).toBe(SERVER);
  });

  it("shows the store as unavailable from the server's outage error until its next listing, also across a reconnect", () => {
    const connection = TestBed.inject(LiveConnection);
    const outage = 'the session store (Redis at 127.0.0.1:6379) cannot be reached: connect ECONNREFUSED';
    FakeSocket.latest().push({ event: 'sessions', data: { sessions: [], serverSessionId: SERVER } });
    expect(connection.state()).toBe('live');
    // Other errors say nothing of the store.
    FakeSocket.latest().push({ event: 'error', data: { message: 'invalid message: not JSON' } });
    expect(connection.state()).toBe('live');

    FakeSocket.latest().push({ event: 'error', data: { message: outage } });
    expect([connection.state(), connection.storeOutage()]).toEqual(['store-down', outage]);
    FakeSocket.latest().close();
    expect(connection.state()).toBe('reconnecting');
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(connection.state()).toBe('store-down');

    const a = session({ appname: 'a' });
    FakeSocket.latest().push({ event: 'sessions', data: { sessions: [a], serverSessionId: SERVER } });
    expect([connection.state(), connection.storeOutage(), ids()]).toEqual(['live', null, ['a']]);
  });

  it('works with a server that only sends periodic full lists, and claims its refusal of the delta mode', () => {
    const a = session({ appname: 'a' });
    FakeSocket.latest().push({
      event: 'error',
      data: { message: 'unknown event "subscribe-sessions"; expected one of subscribe-log, unsubscribe-log' },
    });
    FakeSocket.latest().push({ event: 'sessions', data: { sessions: [a], serverSessionId: SERVER } });
    expect(ids()).toEqual(['a']);
    FakeSocket.latest().push({ event: 'sessions', data: { sessions: [], serverSessionId: SERVER } });
    expect(ids()).toEqual([]);
    expect(feed.explains('unknown event "subscribe-sessions"; expected one of subscribe-log')).toBe(true);
    expect(feed.explains('subscribe-log: session 0123 not found')).toBe(false);
  });

  it('ignores a delta that arrives before any baseline', () => {
    FakeSocket.latest().push({ event: 'sessions-delta', data: { upserted: [session()], removed: [] } });
    expect(feed.list()).toBeNull();
  });
});
