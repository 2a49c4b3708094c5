import { computed, Signal } from '@angular/core';
import { LOG_LEVELS } from '@zen/contract';
import { LogRow } from './log-line';
import { LogFilterState, RowFilter } from './log-rows';
import { LogSources } from './log-sources';
import { OrderedView } from './ordered-view';
import { RegexVetting } from './regex-vetting';

/** What the rows are filtered by: the filters chosen and the order they are shown in. */
export interface RowsQuery {
  sources: Signal<LogSources | null>;
  filter: Signal<LogFilterState>;
  newestFirst: Signal<boolean>;
}

/** The rows of the log through its filters: what the histogram counts and what the log shows. */
export class FilteredRows {
  /** The text filter tried first in a worker when it is a regex (see RegexVetting), with the rows it may run on. */
  private readonly text = new RegexVetting(
    () => this.query.sources()?.rows() ?? [],
    () => this.query.filter(),
  );
  readonly matcher = computed(() => this.text.shown().matcher);
  private readonly rowFilter = new RowFilter();
  /** Rows passing every filter but the time range: `inRange`'s input (with no range set, the same rows). */
  readonly inSelection = computed<LogRow[]>(() => {
    const { rows, text, regex, matcher } = this.text.shown();
    return this.rowFilter.apply(rows, { ...this.query.filter(), text, regex, range: null }, matcher.pattern);
  });
  private readonly rangeFilter = new RowFilter();
  /**
   * The rows shown, oldest first, and what the histogram counts: with a time range it zooms in
   * on the range's entries (no range: the same array as `inSelection`). Filtered by a `RowFilter`
   * of its own, so that with a time range chosen each frame's rows still say how they came from
   * the last (the layout's and the histogram's delta).
   */
  readonly inRange = computed<LogRow[]>(() => {
    const range = this.query.filter().range;
    return this.rangeFilter.apply(this.inSelection(), { level: LOG_LEVELS[0], text: '', regex: false, range }, null);
  });
  /**
   * The rows in the order shown: `inRange` read from the end when newest first, not a reversed
   * copy (following a large log, a copy of every row each frame would cost more than the rest).
   */
  readonly visible = computed(() => new OrderedView(this.inRange(), this.query.newestFirst()));

  constructor(private readonly query: RowsQuery) {}
}
