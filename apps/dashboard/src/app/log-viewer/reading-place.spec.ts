import { entry } from '../testing/sessions';
import { logLine, LogRow } from './log-line';
import { OrderedView } from './ordered-view';
import { keptIndex } from './reading-place';

const rows: LogRow[] = Array.from({ length: 10 }, (_, seq) => logLine('s', entry(seq, `line ${seq}`)));
/** The rows whose seq passes `test`, shown oldest or newest first. */
const shown = (test: (seq: number) => boolean, newestFirst = false) =>
  new OrderedView(
    rows.filter((_, seq) => test(seq)),
    newestFirst,
  );
const all = (newestFirst = false) => shown(() => true, newestFirst);
const seqAt = (view: OrderedView<LogRow>, index: number) =>
  index === -1 ? null : (view.at(index) as { entry: { seq: number } }).entry.seq;

describe('keptIndex: the row that takes the place of the line read after a change', () => {
  it('is the line itself while it is shown, in either order', () => {
    const now = shown((seq) => seq % 2 === 0, true);
    expect(seqAt(now, keptIndex(all(), 4, now))).toBe(4);
  });

  it('is the first line shown after it when it is filtered out, in the order shown', () => {
    const odd = shown((seq) => seq % 2 === 1);
    expect(seqAt(odd, keptIndex(all(), 4, odd))).toBe(5);
    const oddNewestFirst = shown((seq) => seq % 2 === 1, true);
    // Newest first, line 4 is shown at 5 and the lines after it are older.
    expect(seqAt(oddNewestFirst, keptIndex(all(true), 5, oddNewestFirst))).toBe(3);
  });

  it('is the last line shown before it when none after it is left, and none when no line is', () => {
    const early = shown((seq) => seq < 4);
    expect(seqAt(early, keptIndex(all(), 6, early))).toBe(3);
    expect(
      keptIndex(
        all(),
        6,
        shown(() => false),
      ),
    ).toBe(-1);
  });
});
