import { TestBed } from '@angular/core/testing';
import { LogEventData } from '@zen/contract';
import { LiveTransport, SOCKET_FACTORY } from '../core/live-transport';
import { LogFeed } from '../core/log-feed';
import { FakeSocket } from '../testing/fake-socket';
import { entry } from '../testing/sessions';
import { LogStream, MAX_ROWS } from './log-stream';

const ID = 'c'.repeat(24);

describe('LogStream', () => {
  let frames: (() => void)[];
  let stream: LogStream;

  const event = (seqs: number[], cursor: number, dropped = 0): LogEventData => ({
    id: ID,
    entries: seqs.map((seq) => entry(seq)),
    cursor,
    dropped,
  });
  const runFrame = () => frames.splice(0).forEach((flush) => flush());
  const shown = () => stream.rows().map((row) => (row.kind === 'entry' ? row.entry.seq : `gap${row.dropped}`));

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.created = [];
    TestBed.configureTestingModule({
      providers: [{ provide: SOCKET_FACTORY, useValue: (url: string) => new FakeSocket(url) }],
    });
    const feed = TestBed.inject(LogFeed);
    TestBed.inject(LiveTransport).connect();
    FakeSocket.latest().open();
    frames = [];
    stream = new LogStream(
      feed,
      ID,
      3,
      (flush) => frames.push(flush),
      () => undefined,
    );
    stream.start();
  });

  afterEach(() => {
    stream.stop();
    jest.useRealTimers();
  });

  it('subscribes from its start cursor and shows entries once per animation frame', () => {
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: ID, cursor: 3 } }]);
    FakeSocket.latest().push({ event: 'log', data: event([3, 4], 5) });
    FakeSocket.latest().push({ event: 'log', data: event([5], 6) });
    expect(shown()).toEqual([]);
    expect(frames).toHaveLength(1);
    runFrame();
    expect(shown()).toEqual([3, 4, 5]);
  });

  it('ignores other sessions and entries it already has', () => {
    FakeSocket.latest().push({ event: 'log', data: { ...event([3], 4), id: 'd'.repeat(24) } });
    stream.receive(event([3, 4], 5));
    stream.receive(event([4, 5], 6));
    runFrame();
    expect(shown()).toEqual([3, 4, 5]);
  });

  it('turns dropped entries into a gap row before the entries that follow it', () => {
    stream.receive(event([3], 4));
    stream.receive(event([10, 11], 12, 6));
    runFrame();
    expect(shown()).toEqual([3, 'gap6', 10, 11]);
  });

  it('resumes from the last cursor after a reconnect, so nothing repeats or goes missing', () => {
    stream.receive(event([3, 4], 5));
    runFrame();
    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: ID, cursor: 5 } }]);
    FakeSocket.latest().push({ event: 'log', data: event([5, 6], 7) });
    runFrame();
    expect(shown()).toEqual([3, 4, 5, 6]);
  });

  it('keeps at most MAX_ROWS rows, dropping the oldest', () => {
    const seqs = Array.from({ length: MAX_ROWS + 5 }, (_, i) => i + 3);
    stream.receive(event(seqs, MAX_ROWS + 8));
    runFrame();
    expect(stream.rows()).toHaveLength(MAX_ROWS);
    expect(shown()[0]).toBe(8);
    expect(stream.received()).toBe(MAX_ROWS + 5);
  });
});
