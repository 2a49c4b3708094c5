import { TestBed } from '@angular/core/testing';
import { LogEventData } from '@zen/contract';
import { FakeSocket } from '../testing/fake-socket';
import { LiveTransport, SOCKET_FACTORY } from './live-transport';
import { LogFeed } from './log-feed';

describe('LogFeed', () => {
  let feed: LogFeed;

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.created = [];
    TestBed.configureTestingModule({
      providers: [{ provide: SOCKET_FACTORY, useValue: (url: string) => new FakeSocket(url) }],
    });
    feed = TestBed.inject(LogFeed);
    TestBed.inject(LiveTransport).connect();
    FakeSocket.latest().open();
  });

  afterEach(() => jest.useRealTimers());

  it('resubscribes after a reconnect from the cursor each follower reached', () => {
    let cursor = 5;
    feed.follow('a'.repeat(24), () => cursor);
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: 'a'.repeat(24), cursor: 5 } }]);
    cursor = 42;
    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: 'a'.repeat(24), cursor: 42 } }]);
  });

  it('stops resubscribing after unfollow', () => {
    feed.follow('b'.repeat(24), () => 0);
    feed.unfollow('b'.repeat(24));
    expect(FakeSocket.latest().sent.at(-1)).toEqual({ event: 'unsubscribe-log', data: { id: 'b'.repeat(24) } });
    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([]);
  });

  it('publishes log events only', () => {
    const events: LogEventData[] = [];
    feed.events.subscribe((event) => events.push(event));
    const log: LogEventData = { id: 'c'.repeat(24), entries: [], cursor: 3, dropped: 0 };
    FakeSocket.latest().push({ event: 'error', data: { message: 'x' } });
    FakeSocket.latest().push({ event: 'log', data: log });
    expect(events).toEqual([log]);
  });
});
