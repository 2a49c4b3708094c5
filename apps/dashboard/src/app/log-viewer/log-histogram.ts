import { formatDate } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, LOCALE_ID, output, signal } from '@angular/core';
import { plural } from '../core/plural';
import { LogRow } from './log-line';
import { HistogramBin, VolumeBins } from './histogram-bins';
import { rangeTime } from './range-times';

const HEIGHT = 44;
/** Errors and warnings get at least this many px in a bin that has any, however rare. */
const MIN_RARE_PX = 3;
const STACK = ['error', 'warn', 'info', 'debug'] as const;

interface Bar {
  index: number;
  x: number;
  width: number;
  /** An edge bar of entries far before or after the rest (`HistogramBin.outside`). */
  outside: boolean;
  parts: { level: (typeof STACK)[number]; y: number; height: number }[];
}

/**
 * Entries over time, stacked by level (errors at the bottom, never thinner than a few
 * px when there are any). Drag across it to filter the log to a time range; click a
 * bar to jump to its first entry. With a range set it is given only the range's rows, so
 * it shows the range zoomed in (the bars span the range's entries, not its ends, which
 * may lie centuries apart): a drag inside narrows it further; clearing the range shows the whole
 * span again. By keyboard it is a slider over the bars: arrows move the focused bar, Enter
 * jumps to it; Shift+arrows select a range, Enter filters to it; Esc drops the selection,
 * then the range. Entries far from the rest (a client's clock set them years off) are not
 * in the bars' span, which would squash the rest into one bar: they are counted in an edge bar
 * (first or last, hatched), noted on the chart and in its name.
 */
@Component({
  selector: 'zen-log-histogram',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './log-histogram.html',
  styleUrl: './log-histogram.scss',
})
export class LogHistogram {
  /** The rows counted: with a time range set, only those in it (the chart zooms in on the range). */
  readonly rows = input.required<readonly LogRow[]>();
  readonly range = input<{ from: number; to: number } | null>(null);
  /** Whether the log spans days (its rows are dated): bars and ranges within one of them say which. */
  readonly dated = input(false);
  /** A range dragged or chosen by keyboard; null when `Esc` clears it. */
  readonly rangeChange = output<{ from: number; to: number } | null>();
  readonly jump = output<number>();
  private readonly locale = inject(LOCALE_ID);

  readonly height = HEIGHT;
  /** Counts only the rows that came and went since the last frame, when it can. */
  private readonly volume = new VolumeBins();
  readonly bins = computed(() => this.volume.bins(this.rows()));
  readonly bars = computed(() => layout(this.bins()));
  readonly summary = computed(() => summarise(this.bins(), this.range() !== null));
  /** The notes on the chart of the entries far before and after the rest, in its edge bars. */
  readonly outside = computed(() => {
    const bins = this.bins();
    return [bins[0], bins[bins.length - 1]]
      .filter((bin, i) => bin?.outside === (i === 0 ? 'before' : 'after'))
      .map(({ outside, total }) => ({ where: outside, text: `${plural(total, 'entry', 'entries')} long ${outside}` }));
  });
  /** Whether the chart has the focus: the focused bar is outlined then. */
  readonly focused = signal(false);
  /**
   * The bars a drag started on and is over, by their times (as the keyboard's cursor): the bins
   * are cut anew as a live log grows (fewer and wider ones as its span does), and a drag must
   * keep what was under the pointer, not an index that may then name another bar, or none.
   */
  private readonly drag = signal<{ from: DraggedBar; to: DraggedBar } | null>(null);
  /**
   * The keyboard's focused bar and the other end of a Shift+arrow selection, by start time:
   * the bins are cut anew as the log grows, and a time keeps its place where an index would not.
   */
  private readonly cursorTime = signal<number | null>(null);
  private readonly anchorTime = signal<number | null>(null);
  readonly cursor = computed(() => indexOfTime(this.bins(), this.cursorTime()));
  /** The focused bar, outlined while the chart has the focus. */
  readonly cursorBar = computed(() => {
    const cursor = this.cursor();
    return cursor === null || !this.focused() ? null : this.bars()[cursor];
  });
  readonly valueMax = computed(() => Math.max(1, this.bins().length));
  private readonly selecting = computed(() => {
    const cursor = this.cursor();
    const anchor = indexOfTime(this.bins(), this.anchorTime());
    return cursor === null || anchor === null ? null : { from: Math.min(cursor, anchor), to: Math.max(cursor, anchor) };
  });
  /**
   * The range being dragged or keyboard-selected, as bar indexes. A range set is not banded:
   * the chart shows only it (zoomed in), every bar is in it.
   */
  readonly band = computed(() => {
    const drag = this.drag();
    if (!drag) return this.selecting();
    const bins = this.bins();
    const [from, to] = [indexOfTime(bins, drag.from.from), indexOfTime(bins, drag.to.from)];
    return from === null || to === null ? null : { from: Math.min(from, to), to: Math.max(from, to) };
  });

  /** The name: what the chart shows and the range the log is filtered to (and the chart zoomed in on). */
  readonly label = computed(() => {
    const range = this.range();
    const shown = range
      ? `time range ${this.time(range.from, range)} to ${this.time(range.to, range)}`
      : 'no time range';
    return `Volume histogram. ${this.summary()}; ${shown}`;
  });
  /** What a screen reader says of the focused bar (and of a selection being made). */
  readonly valueText = computed(() => {
    const bins = this.bins();
    const cursor = this.cursor();
    if (cursor === null) return bins.length === 0 ? 'No entries' : 'No bar chosen: use the arrow keys';
    const bin = bins[cursor];
    const text = `${this.span(bin.from, bin.to)}: ${countsOf([bin])}${bin.outside ? `, long ${bin.outside} the rest` : ''}`;
    const selecting = this.selecting();
    if (!selecting || selecting.from === selecting.to) return text;
    const chosen = bins.slice(selecting.from, selecting.to + 1);
    return `${text}. Selected ${this.time(bins[selecting.from].from)} to ${this.time(bins[selecting.to].to)}: ${countsOf(chosen)}; Enter filters the log to it`;
  });

  /**
   * Keys on the focused chart. A key it handles goes no further (its default is prevented,
   * which the page's shortcuts respect), so `Esc` clears one thing at a time.
   */
  key(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      return this.choose();
    }
    if (event.key === 'Escape') {
      // Nothing of the chart's to clear: the page's Esc (selection, source filter) has it.
      if (this.clearOne()) event.preventDefault();
      return;
    }
    const to = this.keyTarget(event.key);
    if (to === null) return;
    event.preventDefault();
    this.moveCursor(to, event.shiftKey);
  }

  /**
   * The bar a movement key goes to, maybe off the chart (moveCursor keeps it on), or null for a
   * key that moves nothing. With no bar focused yet, the arrows start from an end of the chart.
   */
  private keyTarget(key: string): number | null {
    const bins = this.bins();
    const cursor = this.cursor();
    const last = bins.length - 1;
    const page = Math.max(1, Math.round(bins.length / 10));
    switch (key) {
      case 'ArrowLeft':
      case 'ArrowDown':
        return cursor === null ? last : cursor - 1;
      case 'ArrowRight':
      case 'ArrowUp':
        return cursor === null ? 0 : cursor + 1;
      case 'PageDown':
        return (cursor ?? last) - page;
      case 'PageUp':
        return (cursor ?? 0) + page;
      case 'Home':
        return 0;
      case 'End':
        return last;
      default:
        return null;
    }
  }

  /**
   * Focuses the bar at `to`, kept on the chart. With `extend` (Shift), a selection runs from the
   * bar focused before (its anchor, set once); without, a selection is dropped.
   */
  private moveCursor(to: number, extend: boolean): void {
    const bins = this.bins();
    if (bins.length === 0) return;
    const index = Math.min(bins.length - 1, Math.max(0, to));
    if (extend) {
      if (this.anchorTime() === null) this.anchorTime.set(bins[this.cursor() ?? index].from);
    } else this.anchorTime.set(null);
    this.cursorTime.set(bins[index].from);
  }

  /** `Esc`: clears one thing, a selection before a range; false when the chart has neither. */
  private clearOne(): boolean {
    if (this.anchorTime() !== null) this.anchorTime.set(null);
    else if (this.range()) this.rangeChange.emit(null);
    else return false;
    return true;
  }

  /** `Enter`: filter to the selection, or jump to the focused bar (as a drag, or a click). */
  private choose(): void {
    const bins = this.bins();
    const cursor = this.cursor();
    const selecting = this.selecting();
    if (cursor === null) return;
    this.anchorTime.set(null);
    if (selecting && selecting.from !== selecting.to)
      this.rangeChange.emit({ from: bins[selecting.from].from, to: bins[selecting.to].to });
    else this.jump.emit(bins[cursor].from);
  }

  /** Leaving the chart drops a selection not yet applied. */
  blur(): void {
    this.focused.set(false);
    this.anchorTime.set(null);
  }

  start(event: PointerEvent): void {
    // The main button (a touch, a pen) only, as for a click on a row: a right click opens the
    // browser's menu, not a jump that pauses following; a second finger does not start over.
    if (event.button !== 0 || !event.isPrimary) return;
    const index = this.binAt(event);
    if (index === null) return;
    (event.currentTarget as Element).setPointerCapture?.(event.pointerId);
    const bar = this.barAt(index);
    this.drag.set({ from: bar, to: bar });
  }

  move(event: PointerEvent): void {
    const drag = this.drag();
    if (!drag || !event.isPrimary) return;
    const index = this.binAt(event);
    if (index !== null) this.drag.set({ ...drag, to: this.barAt(index) });
  }

  end(): void {
    const drag = this.drag();
    this.drag.set(null);
    if (!drag) return;
    // The keys go on from where the pointer left off.
    this.anchorTime.set(null);
    this.cursorTime.set(drag.to.from);
    if (drag.from.from === drag.to.from) this.jump.emit(drag.from.from);
    else
      this.rangeChange.emit({
        from: Math.min(drag.from.from, drag.to.from),
        to: Math.max(drag.from.to, drag.to.to),
      });
  }

  /** The browser took the pointer (a touch became a scroll, a system gesture): the drag is dropped, not applied. */
  cancel(): void {
    this.drag.set(null);
  }

  private barAt(index: number): DraggedBar {
    const { from, to } = this.bins()[index];
    return { from, to };
  }

  private binAt(event: PointerEvent): number | null {
    const count = this.bins().length;
    const svg = event.currentTarget as Element;
    const box = svg.getBoundingClientRect();
    if (count === 0 || box.width === 0) return null;
    return Math.min(count - 1, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * count)));
  }

  /** `from` to `to`; a bin of one instant (every entry at the same time) is `at` it. */
  private span(from: number, to: number): string {
    const [first, last] = [this.time(from), this.time(to)];
    return first === last ? `at ${first}` : `${first} to ${last}`;
  }

  /**
   * A time as the range chip shows it, with milliseconds when the bins are narrower than a second,
   * dated when the bins (and `range`, when given: zoomed in, the range set may span more) span days.
   */
  private time(ms: number, range?: { from: number; to: number }): string {
    const bins = this.bins();
    if (bins.length === 0)
      return range ? rangeTime(ms, range, false, this.locale, this.dated()) : formatDate(ms, 'HH:mm:ss', this.locale);
    // The bins' width (an edge bin spans its own entries, not a width).
    const bin = bins.find((each) => !each.outside) ?? bins[0];
    const fine = bin.to - bin.from < 999;
    const [from, to] = [bins[0].from, bins[bins.length - 1].to];
    const span = range ? { from: Math.min(from, range.from), to: Math.max(to, range.to) } : { from, to };
    return rangeTime(ms, span, fine, this.locale, this.dated());
  }
}

/** The times of a bar a drag started on or is over. */
interface DraggedBar {
  from: number;
  to: number;
}

/** The bin holding `time` (the nearest end when it is outside them all). */
function indexOfTime(bins: readonly HistogramBin[], time: number | null): number | null {
  if (time === null || bins.length === 0) return null;
  const index = bins.findIndex((bin) => bin.to >= time);
  return index === -1 ? bins.length - 1 : index;
}

function countsOf(bins: readonly HistogramBin[]): string {
  const sum = (level: 'error' | 'warn') => bins.reduce((total, bin) => total + bin.counts[level], 0);
  const total = bins.reduce((count, bin) => count + bin.total, 0);
  return `${plural(total, 'entry', 'entries')}, ${plural(sum('error'), 'error', 'errors')}, ${plural(sum('warn'), 'warning', 'warnings')}`;
}

/** Of each bin's width, the part its bar takes: the rest is the gap that tells bars apart. */
const BAR_SHARE = 0.86;
/** The width (of the chart's 100) of the one bar of entries all at one instant. */
const INSTANT_BAR_WIDTH = 8;

function layout(bins: readonly HistogramBin[]): Bar[] {
  const max = Math.max(1, ...bins.map((bin) => bin.total));
  // Every entry at one instant is one bin: a bar in the middle of the chart, not a block over
  // its left 86% with nothing beside it to read it by.
  if (bins.length === 1)
    return [
      {
        index: 0,
        x: (100 - INSTANT_BAR_WIDTH) / 2,
        width: INSTANT_BAR_WIDTH,
        outside: false,
        parts: stack(bins[0], max),
      },
    ];
  const width = 100 / Math.max(1, bins.length);
  return bins.map((bin, index) => ({
    index,
    x: index * width,
    width: width * BAR_SHARE,
    outside: bin.outside !== undefined,
    parts: stack(bin, max),
  }));
}

/**
 * A bin's bar, by level from the bottom up, scaled to `max` (errors and warnings never thinner
 * than a few px; in an edge bar, of entries far off, no level is: a lone one is seen).
 */
function stack(bin: HistogramBin, max: number): Bar['parts'] {
  let y = HEIGHT;
  const parts: Bar['parts'] = [];
  for (const level of STACK) {
    const count = bin.counts[level];
    if (count === 0) continue;
    let height = (count / max) * HEIGHT;
    if (level === 'error' || level === 'warn' || bin.outside) height = Math.max(height, MIN_RARE_PX);
    height = Math.min(height, y);
    y -= height;
    parts.push({ level, y, height });
  }
  return parts;
}

function summarise(bins: readonly HistogramBin[], inRange: boolean): string {
  const what = inRange ? 'Entries over time in the range' : 'Entries over time';
  if (bins.length === 0) return `${what}: none${inRange ? '' : ' yet'}`;
  const [first, last] = [bins[0], bins[bins.length - 1]];
  const outside = [
    first.outside === 'before' ? `${first.total} long before the rest, in the first bar` : null,
    last.outside === 'after' ? `${last.total} long after the rest, in the last bar` : null,
  ].filter((note) => note !== null);
  return `${what}: ${countsOf(bins)}${outside.length > 0 ? ` (${outside.join('; ')})` : ''}`;
}
