import { TestBed } from '@angular/core/testing';
import { LogFollow, LogFollowHandlers } from '@zen/client';
import { LogEventData } from '@zen/contract';
import { LiveConnection } from '../core/live-connection';
import { FakeSocket, openLiveSocket, provideFakeSockets } from '../testing/fake-socket';
import { entry } from '../testing/sessions';
import { LogSources, MAX_ROWS } from './log-sources';
import { deltaFrom } from './row-deltas';

const ID = 'c'.repeat(24);

/**
 * LogSources over `sources`, started on a live connection whose (fake) socket is open, under fake
 * timers; each animation frame it asks for is pushed to `frames` for the test to run.
 */
function startedSources(sources: { id: string; startCursor: number }[], frames: (() => void)[]): LogSources {
  jest.useFakeTimers();
  TestBed.configureTestingModule({ providers: [provideFakeSockets()] });
  openLiveSocket();
  const sourcesOf = new LogSources(
    TestBed.inject(LiveConnection).client,
    sources,
    (flush) => frames.push(flush),
    () => undefined,
  );
  sourcesOf.start();
  return sourcesOf;
}

/** Runs the animation frames asked for since the last run. */
const runFrames = (frames: (() => void)[]) => frames.splice(0).forEach((flush) => flush());

/** A `log` event from the server, as the live connection's socket receives it. */
const deliver = (data: LogEventData) => FakeSocket.latest().push({ event: 'log', data });

describe('LogSources of one session', () => {
  let frames: (() => void)[];
  let stream: LogSources;

  const event = (seqs: number[], cursor: number, dropped = 0): LogEventData => ({
    id: ID,
    entries: seqs.map((seq) => entry(seq)),
    cursor,
    dropped,
  });
  const runFrame = () => runFrames(frames);
  const shown = () => stream.rows().map((row) => (row.kind === 'entry' ? row.entry.seq : `gap${row.dropped}`));

  beforeEach(() => {
    frames = [];
    stream = startedSources([{ id: ID, startCursor: 3 }], frames);
  });

  afterEach(() => {
    stream.stop();
    jest.useRealTimers();
  });

  it('subscribes from its start cursor and shows entries once per animation frame', () => {
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: ID, cursor: 3 } }]);
    deliver(event([3, 4], 5));
    deliver(event([5], 6));
    expect(shown()).toEqual([]);
    expect(frames).toHaveLength(1);
    runFrame();
    expect(shown()).toEqual([3, 4, 5]);
  });

  it('says where its follow has read to, gaps included, once the frame shows what it read', () => {
    expect(stream.cursors().get(ID)).toBe(3);
    deliver(event([8, 9], 10, 5));
    expect(stream.cursors().get(ID)).toBe(3);
    runFrame();
    expect(shown()).toEqual(['gap5', 8, 9]);
    expect(stream.cursors().get(ID)).toBe(10);
  });

  it('ignores other sessions and entries it already has', () => {
    deliver({ ...event([3], 4), id: 'd'.repeat(24) });
    deliver(event([3, 4], 5));
    deliver(event([4, 5], 6));
    runFrame();
    expect(shown()).toEqual([3, 4, 5]);
  });

  it('turns dropped entries into a gap row before the entries that follow it', () => {
    deliver(event([3], 4));
    deliver(event([10, 11], 12, 6));
    runFrame();
    expect(shown()).toEqual([3, 'gap6', 10, 11]);
  });

  it('resumes from the last cursor after a reconnect, so nothing repeats or goes missing', () => {
    deliver(event([3, 4], 5));
    runFrame();
    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([{ event: 'subscribe-log', data: { id: ID, cursor: 5 } }]);
    deliver(event([5, 6], 7));
    runFrame();
    expect(shown()).toEqual([3, 4, 5, 6]);
  });

  it('keeps at most MAX_ROWS rows, dropping the oldest', () => {
    const seqs = Array.from({ length: MAX_ROWS + 5 }, (_, i) => i + 3);
    deliver(event(seqs, MAX_ROWS + 8));
    runFrame();
    expect(stream.rows()).toHaveLength(MAX_ROWS);
    expect(shown()[0]).toBe(8);
    expect(stream.received()).toBe(MAX_ROWS + 5);
    const full = stream.rows();
    deliver(event([MAX_ROWS + 8, MAX_ROWS + 9], MAX_ROWS + 10));
    runFrame();
    expect(shown()[0]).toBe(10);
    expect(deltaFrom(stream.rows(), full)).toEqual({ from: full, evicted: 2, kept: MAX_ROWS - 2 });
  });

  it('paused, keeps every row it shows, takes new ones while there is room, and holds the rest', () => {
    deliver(event([3, 4], 5));
    runFrame();
    stream.hold(true);
    const seqs = Array.from({ length: MAX_ROWS }, (_, i) => i + 5);
    deliver(event(seqs, MAX_ROWS + 5));
    runFrame();
    // Room for MAX_ROWS - 2 of them: none evicted, the last two wait.
    expect(stream.rows()).toHaveLength(MAX_ROWS);
    expect(shown().slice(0, 3)).toEqual([3, 4, 5]);
    expect(shown()[MAX_ROWS - 1]).toBe(MAX_ROWS + 2);
    // The cursor stays where the rows shown reach while rows wait.
    expect(stream.cursors().get(ID)).toBe(5);
    const full = stream.rows();
    deliver(event([MAX_ROWS + 5], MAX_ROWS + 6));
    runFrame();
    expect(stream.rows()).toBe(full);
    expect(stream.received()).toBe(MAX_ROWS + 3);
    stream.hold(false);
    runFrame();
    expect(shown()[0]).toBe(6);
    expect(shown()[MAX_ROWS - 1]).toBe(MAX_ROWS + 5);
    expect(stream.cursors().get(ID)).toBe(MAX_ROWS + 6);
  });

  it('paused under a flood, holds at most about MAX_ROWS rows: the oldest go as a gap, and the newest are shown on resume', () => {
    const seqs = Array.from({ length: MAX_ROWS }, (_, i) => i + 3);
    deliver(event(seqs, MAX_ROWS + 3));
    runFrame();
    stream.hold(true);
    let next = MAX_ROWS + 3;
    for (let frame = 0; frame < 10; frame++) {
      const flood = Array.from({ length: 4500 }, () => next++);
      deliver(event(flood, next));
      runFrame();
      expect(shown()[0]).toBe(3);
      expect(stream.rows()).toHaveLength(MAX_ROWS);
    }
    expect(stream.received()).toBe(MAX_ROWS + 45_000);
    stream.hold(false);
    runFrame();
    expect(stream.rows()).toHaveLength(MAX_ROWS);
    expect(shown()[0]).toBe(next - MAX_ROWS);
    expect(shown()[MAX_ROWS - 1]).toBe(next - 1);
  });
});

describe('LogSources of several sessions (merged view)', () => {
  const A = 'a'.repeat(24);
  const B = 'b'.repeat(24);
  let frames: (() => void)[];
  let merged: LogSources;
  const at = (seq: number, second: number, message = `m${seq}`) => ({
    ...entry(seq, message),
    time: new Date(Date.UTC(2026, 10, 24, 12, 0, second)).toISOString(),
  });
  const shown = () => merged.rows().map((row) => (row.kind === 'entry' ? row.entry.message : `gap${row.dropped}`));

  beforeEach(() => {
    frames = [];
    merged = startedSources(
      [
        { id: A, startCursor: 0 },
        { id: B, startCursor: 10 },
      ],
      frames,
    );
  });

  afterEach(() => {
    merged.stop();
    jest.useRealTimers();
  });

  it('subscribes to every session and orders their entries by time', () => {
    expect(FakeSocket.latest().sent).toEqual([
      { event: 'subscribe-log', data: { id: A, cursor: 0 } },
      { event: 'subscribe-log', data: { id: B, cursor: 10 } },
    ]);
    deliver({ id: A, entries: [at(0, 1, 'a1'), at(1, 4, 'a4')], cursor: 2, dropped: 0 });
    deliver({ id: B, entries: [at(10, 2, 'b2'), at(11, 5, 'b5')], cursor: 12, dropped: 0 });
    runFrames(frames);
    expect(shown()).toEqual(['a1', 'b2', 'a4', 'b5']);
    // A late arrival older than the newest row is merged into place.
    deliver({ id: A, entries: [at(2, 3, 'a3'), at(3, 6, 'a6')], cursor: 4, dropped: 0 });
    runFrames(frames);
    expect(shown()).toEqual(['a1', 'b2', 'a3', 'a4', 'b5', 'a6']);
    expect(merged.rows().map((row) => row.source)).toEqual([A, B, A, A, B, A]);
  });

  it("notes how each frame's rows came from the last: the rows kept in place, and the rest new", () => {
    deliver({ id: A, entries: [at(0, 1, 'a1'), at(1, 4, 'a4')], cursor: 2, dropped: 0 });
    deliver({ id: B, entries: [at(10, 2, 'b2')], cursor: 11, dropped: 0 });
    runFrames(frames);
    const before = merged.rows();
    deliver({ id: B, entries: [at(11, 3, 'b3'), at(12, 5, 'b5')], cursor: 13, dropped: 0 });
    runFrames(frames);
    // b3 goes before a4: a1 and b2 stay where they were; a4 is merged again with the new rows.
    expect(shown()).toEqual(['a1', 'b2', 'b3', 'a4', 'b5']);
    expect(deltaFrom(merged.rows(), before)).toEqual({ from: before, evicted: 0, kept: 2 });
    expect(deltaFrom(merged.rows(), [])).toBeNull();
  });

  it('paused, holds what a full view has no room for per session, and tells of what a session dropped as a gap row', () => {
    const many = (id: string, from: number, count: number, second: number) =>
      deliver({
        id,
        entries: Array.from({ length: count }, (_, i) => at(from + i, second, `${id[0]}${from + i}`)),
        cursor: from + count,
        dropped: 0,
      });
    many(A, 0, MAX_ROWS, 1);
    many(B, 10, MAX_ROWS, 2);
    runFrames(frames);
    const full = merged.rows();
    merged.hold(true);
    // A floods: twice what it may hold; B adds one.
    many(A, MAX_ROWS, 2 * MAX_ROWS, 3);
    many(B, MAX_ROWS + 10, 1, 4);
    runFrames(frames);
    expect(merged.rows()).toBe(full);
    merged.hold(false);
    runFrames(frames);
    const rows = shown();
    expect(rows).toHaveLength(2 * MAX_ROWS);
    // A's held rows kept its newest MAX_ROWS: the MAX_ROWS before them are a gap row just before them.
    const gapAt = rows.indexOf(`gap${MAX_ROWS}`);
    expect(rows[gapAt + 1]).toBe(`a${2 * MAX_ROWS}`);
    expect(rows.slice(-2)).toEqual([`a${3 * MAX_ROWS - 1}`, `b${MAX_ROWS + 10}`]);
  });

  it("shows a gap row in a source's place, and resumes each source from its own cursor", () => {
    deliver({ id: B, entries: [at(20, 3, 'b3')], cursor: 21, dropped: 10 });
    runFrames(frames);
    expect(shown()).toEqual(['gap10', 'b3']);
    FakeSocket.latest().close();
    jest.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([
      { event: 'subscribe-log', data: { id: A, cursor: 0 } },
      { event: 'subscribe-log', data: { id: B, cursor: 21 } },
    ]);
  });
});

describe('LogSources told that a log went back', () => {
  const A = 'a'.repeat(24);
  const B = 'b'.repeat(24);

  // Found by the stop 51 audit (dashboard-redis-outage.e2e.spec.ts drives it through a real server and Redis).
  it("drops that session's rows from the store's cursor on, keeps the others', and takes the next entries under those seqs", () => {
    const handlers = new Map<string, LogFollowHandlers>();
    const follower = {
      followLog: (id: string, _cursor: number, given: LogFollowHandlers) => {
        handlers.set(id, given);
        return { stop: () => undefined } as unknown as LogFollow;
      },
    };
    const frames: (() => void)[] = [];
    const sources = new LogSources(
      follower,
      [
        { id: A, startCursor: 0 },
        { id: B, startCursor: 0 },
      ],
      (flush) => frames.push(flush),
      () => undefined,
    );
    const told: [string, number, number][] = [];
    sources.onRewound = (id, from, to) => told.push([id, from, to]);
    sources.start();
    const deliver = (id: string, seqs: number[]) =>
      handlers.get(id)?.onEntries(
        seqs.map((seq) => ({ ...entry(seq), message: `${id[0]}${seq}` })),
        seqs[seqs.length - 1] + 1,
      );
    const shown = () => sources.rows().map((row) => (row.kind === 'entry' ? row.entry.message : 'gap'));
    deliver(A, [0, 1, 2, 3]);
    deliver(B, [0, 1]);
    runFrames(frames);
    expect(shown().sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1']);

    handlers.get(A)?.onRewound?.(2, 4);
    expect(told).toEqual([[A, 4, 2]]);
    expect(shown().sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(sources.cursors().get(A)).toBe(2);
    deliver(A, [2]);
    runFrames(frames);
    expect(shown().sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1']);
    expect(new Set(sources.rows().map((row) => row.key)).size).toBe(5);
  });
});
