import { computed, signal, Signal } from '@angular/core';
import { FollowScroll } from './follow-scroll';
import { LogLine, LogRow } from './log-line';
import { OrderedView } from './ordered-view';
import { RowFinder } from './row-finder';
import { errorIndexFrom, indexAtTime } from './row-jumps';

/** Selected lines, by key: the anchor (first click) and the focus (moved by j/k, shift-click). */
export interface SelectedKeys {
  anchor: string;
  focus: string;
}

/**
 * The lines selected in the log, kept by key as rows come and go and read as indexes of the
 * rows shown, and the moves that select (a click, j/k, a jump to an error or a time). A move
 * pauses follow and brings the line into view.
 */
export class RowSelection {
  readonly keys = signal<SelectedKeys | null>(null);
  /** The selection's ends, found each frame from where they were (not by a search of every row). */
  private readonly anchorFinder = new RowFinder();
  private readonly focusFinder = new RowFinder();
  /** The selection as indexes of the rows shown: `from`–`to`, and where the focus is. */
  readonly range = computed(() => {
    const keys = this.keys();
    if (!keys) return null;
    const rows = this.rows();
    const a = rows.itemIndex(this.anchorFinder.indexOf(rows.items, keys.anchor));
    const b = rows.itemIndex(this.focusFinder.indexOf(rows.items, keys.focus));
    if (a === -1 || b === -1) return null;
    return { from: Math.min(a, b), to: Math.max(a, b), focus: b };
  });
  readonly count = computed(() => {
    const range = this.range();
    return range ? range.to - range.from + 1 : 0;
  });
  /** The line a permalink can name: the focused one. */
  readonly focusedLine = computed(() => {
    const range = this.range();
    const row = range ? this.rows().at(range.focus) : null;
    return row?.kind === 'entry' ? row : null;
  });

  constructor(
    private readonly rows: Signal<OrderedView<LogRow>>,
    private readonly scroll: FollowScroll,
  ) {}

  has(index: number): boolean {
    const range = this.range();
    return !!range && index >= range.from && index <= range.to;
  }

  /** A click on the row shown at `index` (with shift: to it from the anchor); a click on a button in it is the button's. */
  click(event: MouseEvent, index: number): void {
    const row = this.rows().at(index);
    if (!row || (event.target as Element).closest('button')) return;
    if (event.shiftKey) this.extendTo(row.key);
    else this.only(row.key);
    this.scroll.pause();
  }

  /** Selects the row shown at `index` alone, scrolled into view. */
  select(index: number): void {
    const row = this.rows().at(index);
    if (!row) return;
    this.only(row.key);
    this.scroll.pause();
    this.scroll.intoView(index);
  }

  /** `j`/`k`: the focus `step` rows on (within the rows), or the top row when nothing is selected. */
  move(step: number): void {
    const rows = this.rows();
    if (rows.length === 0) return;
    const focus = this.range()?.focus;
    this.select(focus === undefined ? this.scroll.topIndex() : Math.min(rows.length - 1, Math.max(0, focus + step)));
  }

  /** Selects the next (or previous) error after (before) the focused or top row. */
  jumpToError(forward: boolean): void {
    const from = this.range()?.focus ?? this.scroll.topIndex() - (forward ? 1 : 0);
    const index = errorIndexFrom(this.rows(), from, forward);
    if (index !== -1) this.select(index);
  }

  /** Selects the first entry at or after `time` (a histogram bar): the oldest such, in either order. */
  jumpToTime(time: number): void {
    const index = indexAtTime(this.rows(), time);
    if (index !== -1) this.select(index);
  }

  /** Selects the one row with `key`. */
  only(key: string): void {
    this.keys.set({ anchor: key, focus: key });
  }

  /** Moves the focus to `key`, keeping the anchor (a shift-click); selects only it when nothing is. */
  private extendTo(key: string): void {
    const keys = this.keys();
    if (keys) this.keys.set({ anchor: keys.anchor, focus: key });
    else this.only(key);
  }

  /** The selected lines in the order shown, or every line shown when none is selected: what a copy takes. */
  lines(): LogLine[] {
    const range = this.range();
    const rows = range ? this.rows().slice(range.from, range.to + 1) : this.rows().slice();
    return rows.filter((row): row is LogLine => row.kind === 'entry');
  }
}
