import { TestBed } from '@angular/core/testing';
import { ServerMessage } from '@zen/contract';
import { FakeSocket } from '../testing/fake-socket';
import { LiveTransport, SOCKET_FACTORY } from './live-transport';

describe('LiveTransport', () => {
  let transport: LiveTransport;

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.created = [];
    TestBed.configureTestingModule({
      providers: [{ provide: SOCKET_FACTORY, useValue: (url: string) => new FakeSocket(url) }],
    });
    transport = TestBed.inject(LiveTransport);
  });

  afterEach(() => jest.useRealTimers());

  it('connects to sessions/ws next to the dashboard and publishes every parsed frame', () => {
    const received: ServerMessage[] = [];
    transport.messages.subscribe((message) => received.push(message));
    transport.connect();
    const socket = FakeSocket.latest();
    expect(socket.url).toBe('ws://localhost/sessions/ws');
    socket.open();
    expect(transport.state()).toBe('live');
    socket.push({ event: 'error', data: { message: 'nope' } });
    socket.onmessage?.({ data: 'not json' } as MessageEvent);
    expect(received).toEqual([{ event: 'error', data: { message: 'nope' } }]);
  });

  it('reconnects with growing delays and announces each new connection', () => {
    let opened = 0;
    transport.opened.subscribe(() => opened++);
    transport.connect();
    FakeSocket.latest().open();
    expect(opened).toBe(1);

    FakeSocket.latest().close();
    expect(transport.state()).toBe('reconnecting');
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.created).toHaveLength(2);
    FakeSocket.latest().close();
    // The second attempt waits longer than the first (backoff: 500 ms, then 1 s, ±25 %).
    jest.advanceTimersByTime(700);
    expect(FakeSocket.created).toHaveLength(2);
    jest.advanceTimersByTime(700);
    expect(FakeSocket.created).toHaveLength(3);

    FakeSocket.latest().open();
    expect(transport.state()).toBe('live');
    expect(opened).toBe(2);
  });

  it('sends only while connected, and stays down after stop()', () => {
    transport.connect();
    transport.send({ event: 'unsubscribe-log', data: { id: 'a'.repeat(24) } });
    FakeSocket.latest().open();
    transport.send({ event: 'unsubscribe-log', data: { id: 'b'.repeat(24) } });
    expect(FakeSocket.latest().sent).toEqual([{ event: 'unsubscribe-log', data: { id: 'b'.repeat(24) } }]);
    transport.stop();
    jest.advanceTimersByTime(20_000);
    expect(FakeSocket.created).toHaveLength(1);
  });
});
