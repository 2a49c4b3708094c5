import { OrderedView } from './ordered-view';
import { LogRow } from './log-line';
import { computed } from '@angular/core';
import { LayoutOptions, Offsets, RowLayout } from './row-layout';

/** Rows rendered above and below the viewport. */
const OVERSCAN = 8;

/** The rows in and near the viewport (the only ones in the DOM), from `start`, placed at `top` px. */
export interface RowWindow {
  start: number;
  top: number;
  rows: LogRow[];
}

/** Where the log is scrolled to and how much of it shows. */
export interface Viewport {
  scrollTop: number;
  height: number;
}

/** The window of `rows` (laid out at `offsets`) that `viewport` shows, with the overscan around it. */
export function windowOf(rows: OrderedView<LogRow>, offsets: Offsets, viewport: Viewport): RowWindow {
  // Clamped as the browser clamps scrollTop when the content shrinks (a filter keystroke while
  // following), so the first render already shows the rows the scroll that follows lands on.
  const top = Math.max(0, Math.min(viewport.scrollTop, offsets.height - viewport.height));
  const start = Math.max(0, offsets.indexAt(top) - OVERSCAN);
  const end = Math.min(rows.length, offsets.indexAt(top + viewport.height) + 1 + OVERSCAN);
  return { start, top: offsets.offsetOf(start), rows: rows.slice(start, end) };
}

/**
 * The same window again (the scroll that follows a filter keystroke lands where the render
 * already was) is no change, so the rows are not rendered a second time in that frame.
 */
function sameWindow(a: RowWindow, b: RowWindow): boolean {
  return a.start === b.start && a.top === b.top && sameItems(a.rows, b.rows);
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What the rows are laid out by, and where the log is scrolled to. */
export interface WindowedLog {
  /** The rows shown, oldest first (`visible` is them in the order shown). */
  rows(): LogRow[];
  visible(): OrderedView<LogRow>;
  layout(): LayoutOptions;
  newestFirst(): boolean;
  viewport(): Viewport;
}

/** The log's virtual scrolling: where each row starts, and the window of rows in the DOM. */
export class RowWindowing {
  private readonly layout = new RowLayout();
  /** Where each row of `visible` starts: measured in time order, so newest first only reads it the other way. */
  readonly offsets = computed(() => this.layout.next(this.log.rows(), this.log.layout(), this.log.newestFirst()));
  readonly window = computed(() => windowOf(this.log.visible(), this.offsets(), this.log.viewport()), {
    equal: sameWindow,
  });

  constructor(private readonly log: WindowedLog) {}
}
