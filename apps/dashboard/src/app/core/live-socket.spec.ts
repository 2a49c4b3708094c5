import { TestBed } from '@angular/core/testing';
import { FakeSocket } from '../testing/fake-socket';
import { LiveSocket, SOCKET_FACTORY } from './live-socket';

describe('LiveSocket', () => {
  let live: LiveSocket;

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.created = [];
    TestBed.configureTestingModule({
      providers: [{ provide: SOCKET_FACTORY, useValue: (url: string) => new FakeSocket(url) }],
    });
    live = TestBed.inject(LiveSocket);
  });

  afterEach(() => jest.useRealTimers());

  it('connects to sessions/ws next to the dashboard and publishes the sessions listing', () => {
    live.connect();
    const socket = FakeSocket.latest();
    expect(socket.url).toBe('ws://localhost/sessions/ws');
    socket.open();
    expect(live.state()).toBe('live');
    socket.push({ event: 'sessions', data: { sessions: [], serverSessionId: 'f'.repeat(24) } });
    expect(live.sessions()?.serverSessionId).toBe('f'.repeat(24));
  });

  it('reconnects with growing delays and resubscribes from the cursor each follower reached', () => {
    let cursor = 5;
    live.connect();
    FakeSocket.latest().open();
    live.follow('a'.repeat(24), () => cursor);
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: 'a'.repeat(24), cursor: 5 } }]);

    cursor = 42;
    FakeSocket.latest().close();
    expect(live.state()).toBe('reconnecting');
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.created).toHaveLength(2);
    FakeSocket.latest().close();
    // The second attempt waits longer than the first (backoff: 500 ms, then 1 s, ±25 %).
    jest.advanceTimersByTime(700);
    expect(FakeSocket.created).toHaveLength(2);
    jest.advanceTimersByTime(700);
    expect(FakeSocket.created).toHaveLength(3);

    FakeSocket.latest().open();
    expect(live.state()).toBe('live');
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: 'a'.repeat(24), cursor: 42 } }]);
  });

  it('stops resubscribing after unfollow', () => {
    live.connect();
    FakeSocket.latest().open();
    live.follow('b'.repeat(24), () => 0);
    live.unfollow('b'.repeat(24));
    expect(FakeSocket.latest().sent.at(-1)).toEqual({ event: 'unsubscribe-log', data: { id: 'b'.repeat(24) } });
    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([]);
  });
});
