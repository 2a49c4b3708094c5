import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { LogRow } from './log-line';
import { HistogramBin, VolumeBins } from './histogram-bins';
import { lastIndexWhere } from './log-rows';

const HEIGHT = 44;
/** Errors and warnings get at least this many px in a bin that has any, however rare. */
const MIN_RARE_PX = 3;
const STACK = ['error', 'warn', 'info', 'debug'] as const;

interface Bar {
  index: number;
  x: number;
  width: number;
  parts: { level: (typeof STACK)[number]; y: number; height: number }[];
}

/**
 * Entries over time, stacked by level (errors at the bottom, never thinner than a few
 * px when there are any). Drag across it to filter the log to a time range; click a
 * bar to jump to its first entry.
 */
@Component({
  selector: 'zen-log-histogram',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './log-histogram.html',
  styleUrl: './log-histogram.scss',
})
export class LogHistogram {
  readonly rows = input.required<readonly LogRow[]>();
  readonly range = input<{ from: number; to: number } | null>(null);
  readonly rangeChange = output<{ from: number; to: number }>();
  readonly jump = output<number>();

  readonly height = HEIGHT;
  /** Counts only the rows that came and went since the last frame, when it can. */
  private readonly volume = new VolumeBins();
  readonly bins = computed(() => this.volume.bins(this.rows()));
  readonly bars = computed(() => layout(this.bins()));
  readonly summary = computed(() => summarise(this.bins()));
  private readonly drag = signal<{ from: number; to: number } | null>(null);
  /** The dragged or chosen range, as bar indexes. */
  readonly band = computed(() => {
    const bins = this.bins();
    const drag = this.drag();
    if (drag) return { from: Math.min(drag.from, drag.to), to: Math.max(drag.from, drag.to) };
    const range = this.range();
    if (!range || bins.length === 0) return null;
    const from = bins.findIndex((bin) => bin.to >= range.from);
    const to = lastIndexWhere(bins, (bin) => bin.from <= range.to);
    return from === -1 || to === -1 ? null : { from, to };
  });

  start(event: PointerEvent): void {
    const index = this.binAt(event);
    if (index === null) return;
    (event.currentTarget as Element).setPointerCapture?.(event.pointerId);
    this.drag.set({ from: index, to: index });
  }

  move(event: PointerEvent): void {
    const drag = this.drag();
    const index = this.binAt(event);
    if (drag && index !== null) this.drag.set({ ...drag, to: index });
  }

  end(): void {
    const drag = this.drag();
    this.drag.set(null);
    if (!drag) return;
    const bins = this.bins();
    if (drag.from === drag.to) this.jump.emit(bins[drag.from].from);
    else {
      const [first, last] = drag.from < drag.to ? [drag.from, drag.to] : [drag.to, drag.from];
      this.rangeChange.emit({ from: bins[first].from, to: bins[last].to });
    }
  }

  private binAt(event: PointerEvent): number | null {
    const count = this.bins().length;
    const svg = event.currentTarget as Element;
    const box = svg.getBoundingClientRect();
    if (count === 0 || box.width === 0) return null;
    return Math.min(count - 1, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * count)));
  }
}

function layout(bins: readonly HistogramBin[]): Bar[] {
  const max = Math.max(1, ...bins.map((bin) => bin.total));
  const width = 100 / Math.max(1, bins.length);
  return bins.map((bin, index) => {
    let y = HEIGHT;
    const parts: Bar['parts'] = [];
    for (const level of STACK) {
      const count = bin.counts[level];
      if (count === 0) continue;
      let height = (count / max) * HEIGHT;
      if (level === 'error' || level === 'warn') height = Math.max(height, MIN_RARE_PX);
      height = Math.min(height, y);
      y -= height;
      parts.push({ level, y, height });
    }
    return { index, x: index * width, width: width * 0.86, parts };
  });
}

function summarise(bins: readonly HistogramBin[]): string {
  if (bins.length === 0) return 'Entries over time: none yet';
  const sum = (level: 'error' | 'warn') => bins.reduce((total, bin) => total + bin.counts[level], 0);
  const total = bins.reduce((count, bin) => count + bin.total, 0);
  return `Entries over time: ${total} entries, ${sum('error')} errors, ${sum('warn')} warnings`;
}
