import { computed, signal } from '@angular/core';
import { LayoutOptions } from './row-layout';

/** Width of a character of the log font, for wrapping estimates when it cannot be measured. */
const FALLBACK_CHAR_PX = 7.2;
/** Width taken by the columns before the message, until the probe row is measured. */
const FIXED_COLUMNS_PX = 260;
/** Widths of the source and the category columns, until the probe row is measured. */
const SOURCE_COLUMN_PX = 158;
const CATEGORY_COLUMN_PX = 138;
/** Characters in the probe row's `chars` span (log-viewer.html): its width divided by them is one character's. */
const PROBE_CHARS = 10;

/** The message column of the probe row, measured: what wrapped rows are laid out to. */
interface MessageColumn {
  /** Its width in px, beside no data button and beside one. */
  width: number;
  besideData: number;
  /** Whether the category shows in the message (its column is hidden at phone width). */
  inlineCategory: boolean;
}

/** What the wrap width depends on besides the probe row. */
export interface WrappedLog {
  wrap(): boolean;
  viewportWidth(): number;
  merged(): boolean;
  hasCategories(): boolean;
}

/**
 * How wrapped rows are laid out: to the message column as measured on the probe row (an
 * estimate of it, off by a few characters a line, left the newest rows out of view or
 * blank space below them while following), characters of monospace counted exactly.
 */
export class WrapColumns {
  private readonly charWidth = signal(FALLBACK_CHAR_PX);
  private readonly column = signal<MessageColumn | null>(null);
  readonly options = computed<Omit<LayoutOptions, 'expanded'>>(() => {
    if (!this.log.wrap()) return { wrapColumns: 0 };
    const measured = this.column();
    if (!measured) return { wrapColumns: this.columns(this.log.viewportWidth() - this.estimatedOthers()) };
    return {
      wrapColumns: this.columns(measured.width),
      dataWrapColumns: this.columns(measured.besideData),
      categories: !this.log.hasCategories() ? 'none' : measured.inlineCategory ? 'inline' : 'column',
    };
  });

  constructor(private readonly log: WrappedLog) {}

  /** The font's width and the message column's, from the probe row (laid out as a row is) in `element`. */
  measure(element: HTMLElement): void {
    const width = (name: string) => element.querySelector(`[data-probe="${name}"]`)?.getBoundingClientRect().width ?? 0;
    const char = width('chars') / PROBE_CHARS;
    if (char > 0) this.charWidth.set(char);
    const besideData = width('message');
    if (besideData <= 0) return;
    const line = element.querySelector('.probe .line');
    const gap = line ? parseFloat(getComputedStyle(line).columnGap) || 0 : 0;
    const next: MessageColumn = {
      width: besideData + width('data') + gap,
      besideData,
      inlineCategory: width('category') === 0,
    };
    if (!sameColumn(this.column(), next)) this.column.set(next);
  }

  /** Whole characters in `px`, at least one. */
  private columns(px: number): number {
    return Math.max(1, Math.floor((px + 0.01) / this.charWidth()));
  }

  private estimatedOthers(): number {
    return (
      FIXED_COLUMNS_PX +
      (this.log.merged() ? SOURCE_COLUMN_PX : 0) +
      (this.log.hasCategories() ? CATEGORY_COLUMN_PX : 0)
    );
  }
}

function sameColumn(a: MessageColumn | null, b: MessageColumn): boolean {
  return !!a && a.width === b.width && a.besideData === b.besideData && a.inlineCategory === b.inlineCategory;
}
