import { LogLine } from './log-line';
import { highlightSegments, ShownSegment } from './log-rows';

/**
 * Rows' messages cut for highlighting, made once per row while the text filter and the
 * category column stay: a render of the window (a scroll, a row arriving) reuses the rows' cuts.
 */
export class ShownSegments {
  private cutFor = {
    pattern: null as RegExp | null,
    withCategories: false,
    segments: new WeakMap<LogLine, ShownSegment[]>(),
  };

  /** `row`'s message cut where `pattern` matches; without its category prefix when the category has a column. */
  of(row: LogLine, pattern: RegExp | null, withCategories: boolean): ShownSegment[] {
    if (pattern !== this.cutFor.pattern || withCategories !== this.cutFor.withCategories)
      this.cutFor = { pattern, withCategories, segments: new WeakMap() };
    let shown = this.cutFor.segments.get(row);
    if (!shown) {
      shown = highlightSegments(row.segments, pattern);
      if (row.bodyStart > 0 && withCategories) shown = dropPrefix(shown, row.bodyStart);
      this.cutFor.segments.set(row, shown);
    }
    return shown;
  }
}

function dropPrefix(segments: ShownSegment[], count: number): ShownSegment[] {
  const shown: ShownSegment[] = [];
  let skip = count;
  for (const segment of segments) {
    if (skip >= segment.text.length) {
      skip -= segment.text.length;
      continue;
    }
    shown.push(skip > 0 ? { ...segment, text: segment.text.slice(skip) } : segment);
    skip = 0;
  }
  return shown;
}
