import { afterNextRender, ChangeDetectorRef, effect, inject, Injector, untracked } from '@angular/core';
import { FollowScroll } from './follow-scroll';
import { LogRow } from './log-line';
import { OrderedView } from './ordered-view';

/** What keeping the line read in its place reads and moves in the rest of the log view. */
export interface ReadLog {
  following(): boolean;
  visible(): OrderedView<LogRow>;
  /** Every row the sessions hold (a new array with each frame of arrivals and evictions). */
  rows(): readonly LogRow[];
  /** The focused line's index in `visible`, if a line is selected. */
  focus(): number | undefined;
  scroll: FollowScroll;
}

/**
 * The line being read while paused — the focused line when in view, else the top one — kept in
 * its place in the view across a change to the rows shown or their layout (a filter, the order,
 * wrap, the time column, a new width): the scroll offset in px alone would show other rows (every
 * row above it wrapped, filtered out, or the order flipped). Filtered out itself, the nearest
 * line still shown takes its place (`keptIndex`).
 */
export class ReadingPlace {
  private readonly injector = inject(Injector);
  private readonly changes = inject(ChangeDetectorRef);

  /**
   * The line read as last rendered or scrolled to: the view it was in, its index there, and where
   * it started in the viewport.
   */
  private anchor: { view: OrderedView<LogRow>; index: number; place: number } | null = null;
  private lastRows: readonly LogRow[] | null = null;

  constructor(private readonly log: ReadLog) {
    effect(() => this.arrivals(this.log.rows()));
  }

  /** Notes where the line read is: after each scroll, and once each frame of new rows is rendered. */
  note(): void {
    const view = this.log.visible();
    const index = this.readIndex();
    this.anchor = view.at(index) ? { view, index, place: this.log.scroll.placeOf(index) } : null;
  }

  /**
   * Paused, rows that arrive above the line read (newest first, or merged in by time) leave it
   * where it was: the scroll offset in px alone would slide the log under the reader by a row per
   * entry. (Paused, no row is evicted: LogSources.hold; a change of the rows while a permalinked
   * line is on its way is put back the same way.)
   */
  private arrivals(rows: readonly LogRow[]): void {
    untracked(() => {
      const anchor = this.anchor;
      const moved = this.lastRows !== null && rows !== this.lastRows && !this.log.following() ? anchor : null;
      this.lastRows = rows;
      afterNextRender(
        () => {
          if (moved) {
            const now = keptIndex(moved.view, moved.index, this.log.visible());
            if (now !== -1) this.log.scroll.toPlace(now, moved.place);
          }
          this.note();
        },
        { injector: this.injector },
      );
    });
  }

  /** Runs `change`; paused, the line read (or the row `clicked`, as a source tag) is put back where it was. */
  keep(change: () => void, clicked?: number): void {
    if (this.log.following()) return change();
    const before = this.log.visible();
    const index = clicked ?? this.readIndex();
    const place = this.log.scroll.placeOf(index);
    change();
    if (before.at(index) === undefined) return;
    const back = () => {
      const now = keptIndex(before, index, this.log.visible());
      if (now !== -1) this.log.scroll.toPlace(now, place);
    };
    // Once rendered, and again after the render that follows: a change of the time column's width
    // lays wrapped rows out anew only once the probe row is measured, after the first render.
    afterNextRender(
      () => {
        back();
        afterNextRender(back, { injector: this.injector });
      },
      { injector: this.injector },
    );
    // A change the template does not read (a new width wrapping to as many characters) renders
    // nothing: the scroll back would wait for a later render and undo the user's scroll then.
    this.changes.markForCheck();
  }

  private readIndex(): number {
    const focus = this.log.focus();
    return focus !== undefined && this.log.scroll.inView(focus) ? focus : this.log.scroll.topIndex();
  }
}

/**
 * Where the row shown at `index` of `before` is shown in `now`: there itself, else (filtered out)
 * the first row after it in `before` still shown, else the last one before it; -1 for none.
 */
export function keptIndex(before: OrderedView<LogRow>, index: number, now: OrderedView<LogRow>): number {
  const key = before.at(index)?.key;
  const at = now.findIndex((row) => row.key === key);
  if (at !== -1 || now.length === 0) return at;
  // Looked up by key once rather than each row of `before` searched for in `now`.
  const shown = new Map<string, number>();
  now.items.forEach((row, item) => shown.set(row.key, now.itemIndex(item)));
  const after = firstShown(before, index, 1, shown);
  return after !== -1 ? after : firstShown(before, index, -1, shown);
}

/** The index in `shown` of the first row of `rows` from `index` on by `step` that it holds, or -1. */
function firstShown(rows: OrderedView<LogRow>, index: number, step: 1 | -1, shown: Map<string, number>): number {
  for (let i = index + step; i >= 0 && i < rows.length; i += step) {
    const at = shown.get((rows.at(i) as LogRow).key);
    if (at !== undefined) return at;
  }
  return -1;
}
