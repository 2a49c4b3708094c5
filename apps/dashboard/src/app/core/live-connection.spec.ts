import { TestBed } from '@angular/core/testing';
import { FakeSocket } from '../testing/fake-socket';
import { AuthToken } from './auth-token';
import { LiveConnection, SESSION_LOOKUP, SOCKET_FACTORY } from './live-connection';

describe('LiveConnection', () => {
  let connection: LiveConnection;
  const A = 'a'.repeat(24);
  const B = 'b'.repeat(24);

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.created = [];
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        { provide: SOCKET_FACTORY, useValue: (url: string, token?: string) => new FakeSocket(withToken(url, token)) },
        { provide: SESSION_LOOKUP, useValue: null },
      ],
    });
    connection = TestBed.inject(LiveConnection);
  });

  afterEach(() => jest.useRealTimers());

  it('waits for connect(), then connects to sessions/ws next to the dashboard and shows Live', () => {
    expect(FakeSocket.created).toHaveLength(0);
    expect(connection.state()).toBe('connecting');
    connection.connect();
    const socket = FakeSocket.latest();
    expect(socket.url).toBe('ws://localhost/sessions/ws');
    socket.open();
    expect(connection.state()).toBe('live');
  });

  it("publishes the server's error events and ignores frames that are not JSON", () => {
    const errors: string[] = [];
    connection.serverErrors.subscribe((message) => errors.push(message));
    connection.connect();
    FakeSocket.latest().open();
    FakeSocket.latest().push({ event: 'error', data: { message: 'nope' } });
    FakeSocket.latest().onmessage?.({ data: 'not json' });
    expect(errors).toEqual(['nope']);
  });

  it('reconnects with growing delays, showing Reconnecting until it is back', () => {
    connection.connect();
    FakeSocket.latest().open();

    FakeSocket.latest().close();
    expect(connection.state()).toBe('reconnecting');
    jest.advanceTimersByTime(500);
    expect(FakeSocket.created).toHaveLength(2);
    FakeSocket.latest().close();
    // The second attempt waits longer than the first (up to 500 ms, then 500 ms to 1 s: jitter).
    jest.advanceTimersByTime(499);
    expect(FakeSocket.created).toHaveLength(2);
    jest.advanceTimersByTime(501);
    expect(FakeSocket.created).toHaveLength(3);

    FakeSocket.latest().open();
    expect(connection.state()).toBe('live');
  });

  it('resubscribes every followed log after a reconnect from the cursor it reached, and not after stop()', () => {
    connection.connect();
    FakeSocket.latest().open();
    connection.client.followLog(A, 5, { onEntries: () => undefined });
    const followB = connection.client.followLog(B, 0, { onEntries: () => undefined });
    expect(FakeSocket.latest().sent).toEqual([
      { event: 'subscribe-log', data: { id: A, cursor: 5 } },
      { event: 'subscribe-log', data: { id: B, cursor: 0 } },
    ]);
    // The subscription's first event, as the server sends it when 5 to 41 were evicted meanwhile.
    FakeSocket.latest().push({
      event: 'log',
      data: { id: A, entries: [], cursor: 42, dropped: 37 },
    });
    followB.stop();
    expect(FakeSocket.latest().sent.at(-1)).toEqual({ event: 'unsubscribe-log', data: { id: B } });

    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: A, cursor: 42 } }]);
  });

  it('sends only while connected, and stays down after stop() until connect()', () => {
    const follow = connection.client.followLog(A, 0, { onEntries: () => undefined });
    connection.connect();
    follow.stop();
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([]);
    connection.stop();
    jest.advanceTimersByTime(20_000);
    expect(FakeSocket.created).toHaveLength(1);
  });

  it('connects again with the token the user gave', () => {
    connection.connect();
    FakeSocket.latest().open();
    TestBed.inject(AuthToken).set('tab-token');
    connection.stop();
    connection.connect();
    expect(FakeSocket.created).toHaveLength(2);
    expect(FakeSocket.latest().url).toBe('ws://localhost/sessions/ws?access_token=tab-token');
  });
});

/** As the browser's factory does: a browser cannot send headers on a WebSocket. */
function withToken(url: string, token?: string): string {
  return token ? `${url}?access_token=${encodeURIComponent(token)}` : url;
}
