import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { logLine, LogRow } from './log-line';
import { DELTA_DEPTH, deltaFrom, deltaOf, noteDelta } from './row-deltas';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const row = (seq: number): LogRow =>
  logLine('a', { seq, time: '2026-01-01T00:00:00.000Z', level: 'info', message: `line ${seq}` });

/** The next frame's rows as LogSources makes them: the oldest `evicted` go, `added` new ones come. */
function nextFrame(rows: readonly LogRow[], evicted: number, added: number, seq: { next: number }): LogRow[] {
  const next = rows.slice(evicted).concat(Array.from({ length: added }, () => row(seq.next++)));
  noteDelta(next, { from: rows, evicted, kept: rows.length - evicted });
  return next;
}

describe('row deltas', () => {
  // Found by the stop 51 audit: each delta holds the array before it, so following a log kept
  // every frame's rows array alive (the tab's heap grew for good, 80 KB a frame per full session).
  it('let an array many frames old be collected while the newest is kept', async () => {
    const seq = { next: 0 };
    let rows: readonly LogRow[] = Array.from({ length: 1000 }, () => row(seq.next++));
    const first = new WeakRef(rows);
    for (let frame = 0; frame < 4 * DELTA_DEPTH; frame++) rows = nextFrame(rows, 10, 10, seq);
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(first.deref()).toBeUndefined();
    expect(deltaOf(rows)?.kept).toBe(990);
  });

  it('say how rows came from an array frames before them, up to DELTA_DEPTH, as the rows show', () => {
    const seq = { next: 0 };
    const from = Array.from({ length: 100 }, () => row(seq.next++));
    let rows: readonly LogRow[] = from;
    for (const [evicted, added] of [
      [3, 5],
      [0, 2],
      [10, 1],
    ])
      rows = nextFrame(rows, evicted, added, seq);
    const delta = deltaFrom(rows, from);
    expect(delta).toEqual({ from, evicted: 13, kept: 87 });
    expect(rows.slice(0, 87)).toEqual(from.slice(13, 100));
    // Beyond the depth, or with nothing of `from` kept: unknown.
    for (let frame = 0; frame < DELTA_DEPTH; frame++) rows = nextFrame(rows, 1, 1, seq);
    expect(deltaFrom(rows, from)).toBeNull();
    const short = [row(seq.next++)];
    expect(deltaFrom(nextFrame(nextFrame(short, 0, 1, seq), 2, 1, seq), short)).toBeNull();
  });
});
