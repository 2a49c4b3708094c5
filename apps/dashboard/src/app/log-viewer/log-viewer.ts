import { DatePipe } from '@angular/common';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  ElementRef,
  inject,
  Injector,
  input,
  OnDestroy,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatSelectModule } from '@angular/material/select';
import { LOG_LEVELS, LogLevel, Session } from '@zen/contract';
import { CopyText } from '../core/copy-text';
import { LiveConnection } from '../core/live-connection';
import { ViewPrefs } from '../core/view-prefs';
import { JsonTree } from './json-tree';
import { KeysHelp } from './keys-help';
import { LogHistogram } from './log-histogram';
import { LogLine } from './log-line';
import { RowFilter, highlightSegments, LogFilterState, LogRow, ShownSegment, textMatcher } from './log-rows';
import { LogSources } from './log-sources';
import { LogUrl } from './log-url';
import { asNdjson, asText, formatElapsed } from './log-copy';
import { LayoutOptions, LINE_HEIGHT, MAX_DATA_LINES, RowLayout } from './row-layout';
import { isTyping, keyAction } from './log-keys';
import { OrderedView } from './ordered-view';
import { RowFinder } from './row-finder';

/** Fixed height of a one-line row. */
export const ROW_HEIGHT = LINE_HEIGHT;
/** Rows rendered above and below the viewport. */
const OVERSCAN = 8;
/** How long the URL waits for the filters to settle. */
const URL_DELAY_MS = 300;
/** Width of a character of the log font, for wrapping estimates when it cannot be measured. */
const FALLBACK_CHAR_PX = 7.2;
/** Width taken by the columns before the message, until the probe row is measured. */
const FIXED_COLUMNS_PX = 260;

/** The message column of the probe row, measured: what wrapped rows are laid out to. */
interface MessageColumn {
  /** Its width in px, beside no data button and beside one. */
  width: number;
  besideData: number;
  /** Whether the category shows in the message (its column is hidden at phone width). */
  inlineCategory: boolean;
}

/**
 * The live log of one session, or of several merged by time: follow mode, ordering,
 * filters (text/regex, level, Unreal category, source, time range) with highlighting,
 * ANSI colours, gap rows, a volume histogram, inline data trees, permalinks, copy and
 * keyboard navigation. Messages are rendered as text nodes only, so nothing a client
 * logs is ever interpreted as HTML.
 */
@Component({
  selector: 'zen-log-viewer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    FormsModule,
    JsonTree,
    LogHistogram,
    MatButtonModule,
    MatButtonToggleModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatMenuModule,
    MatSelectModule,
  ],
  templateUrl: './log-viewer.html',
  styleUrl: './log-viewer.scss',
  host: { '(document:keydown)': 'onKey($event)' },
})
export class LogViewer implements OnDestroy {
  private readonly live = inject(LiveConnection).client;
  private readonly injector = inject(Injector);
  private readonly url = inject(LogUrl);
  private readonly clipboard = inject(CopyText);
  private readonly dialog = inject(MatDialog);
  readonly prefs = inject(ViewPrefs);
  private readonly scroller = viewChild.required<ElementRef<HTMLElement>>('scroller');
  private readonly filterInput = viewChild.required<ElementRef<HTMLInputElement>>('filterInput');

  /** The sessions shown: one, or several merged by time. */
  readonly sessions = input.required<readonly Session[]>();
  /**
   * Every push brings new session objects; only a new set of sessions means new streams. A
   * session is its id and creation time: one created again under its id (a server without a
   * store restarted, its producer created it anew) has a new log from seq 0, not one to resume.
   */
  private readonly sourceKey = computed(() =>
    this.sessions()
      .map((session) => `${session.id}@${session.created}`)
      .join(','),
  );
  readonly merged = computed(() => this.sessions().length > 1);
  /** Each session's place in the view (its tag colour). */
  private readonly sourcePlaces = computed(() => new Map(this.sessions().map((session, i) => [session.id, i])));
  readonly levels = LOG_LEVELS;
  readonly lineHeight = LINE_HEIGHT;
  readonly maxDataLines = MAX_DATA_LINES;

  private readonly initial = this.url.read();
  readonly sources = signal<LogSources | null>(null);
  readonly filter = signal<LogFilterState>({
    level: this.initial.level,
    text: this.initial.text,
    regex: this.initial.regex,
    category: this.initial.category,
    source: null,
    range: null,
  });
  readonly newestFirst = signal(this.initial.newestFirst);
  readonly following = signal(this.initial.line === null);
  /** `received` count when follow was paused. */
  private readonly pausedAt = signal(0);
  /** Selected lines, by key: the anchor (first click) and the focus (moved by j/k, shift-click). */
  readonly selection = signal<{ anchor: string; focus: string } | null>(null);
  /** Rows whose data tree is open, with its line count. */
  readonly expanded = signal<ReadonlyMap<string, number>>(new Map());
  /** The permalinked line, until it is shown (or known to be gone). */
  private readonly pendingLine = signal<{ source: string; seq: number } | null>(null);
  readonly lineNotice = signal<string | null>(null);
  readonly highlightKey = signal<string | null>(null);

  readonly scrollTop = signal(0);
  readonly viewportHeight = signal(600);
  readonly viewportWidth = signal(800);
  private readonly charWidth = signal(FALLBACK_CHAR_PX);
  private readonly messageColumn = signal<MessageColumn | null>(null);
  private autoScrolling = false;
  /** `segments` of the rows shown, for the text filter's pattern and the category column they were cut for. */
  private shownFor = {
    pattern: null as RegExp | null,
    withCategories: false,
    segments: new WeakMap<LogLine, ShownSegment[]>(),
  };

  readonly matcher = computed(() => textMatcher(this.filter()));
  private readonly rowFilter = new RowFilter();
  /** Rows passing every filter but the time range: what the histogram shows. */
  readonly inSelection = computed<LogRow[]>(() => {
    const rows = this.sources()?.rows() ?? [];
    return this.rowFilter.apply(rows, { ...this.filter(), range: null }, this.matcher().pattern);
  });
  private readonly rangeFilter = new RowFilter();
  /**
   * The rows shown, oldest first. Filtered by a `RowFilter` of its own, so that with a time
   * range chosen each frame's rows still say how they came from the last (the layout's delta).
   */
  private readonly inRange = computed<LogRow[]>(() => {
    const range = this.filter().range;
    return this.rangeFilter.apply(this.inSelection(), { level: LOG_LEVELS[0], text: '', regex: false, range }, null);
  });
  /**
   * The rows in the order shown: `inRange` read from the end when newest first, not a reversed
   * copy (following a large log, a copy of every row each frame would cost more than the rest).
   */
  readonly visible = computed(() => new OrderedView(this.inRange(), this.newestFirst()));
  readonly total = computed(() => this.sources()?.rows().length ?? 0);
  readonly categories = computed(() => this.sources()?.categories() ?? []);
  readonly newEntries = computed(() => (this.following() ? 0 : (this.sources()?.received() ?? 0) - this.pausedAt()));
  readonly firstTime = computed(() => {
    const rows = this.sources()?.rows() ?? [];
    return rows.find((row) => row.kind === 'entry')?.timeMs ?? 0;
  });

  readonly hasCategories = computed(() => this.categories().length > 0);
  /**
   * The probe row's time, as wide as the newest row's (at phone width the time column is as
   * wide as its text, and a relative time grows longer as the log goes on).
   */
  readonly probeTime = computed(() => {
    if (!this.prefs.relativeTimes()) return '00:00:00.000';
    const newest = this.sources()?.rows().at(-1);
    return newest ? this.elapsed(newest).replace(/\d/g, '0') : '+0.000s';
  });
  /**
   * How wrapped rows are laid out: to the message column as measured on the probe row (an
   * estimate of it, off by a few characters a line, left the newest rows out of view or
   * blank space below them while following), characters of monospace counted exactly.
   */
  private readonly wrap = computed<Omit<LayoutOptions, 'expanded'>>(() => {
    if (!this.prefs.wrap()) return { wrapColumns: 0 };
    const char = this.charWidth();
    const columns = (px: number) => Math.max(1, Math.floor((px + 0.01) / char));
    const measured = this.messageColumn();
    if (!measured) {
      const others = FIXED_COLUMNS_PX + (this.merged() ? 158 : 0) + (this.hasCategories() ? 138 : 0);
      return { wrapColumns: columns(this.viewportWidth() - others) };
    }
    return {
      wrapColumns: columns(measured.width),
      dataWrapColumns: columns(measured.besideData),
      categories: !this.hasCategories() ? 'none' : measured.inlineCategory ? 'inline' : 'column',
    };
  });
  private readonly layout = new RowLayout();
  /** Where each row of `visible` starts: measured in time order, so newest first only reads it the other way. */
  private readonly offsets = computed(() =>
    this.layout.next(this.inRange(), { ...this.wrap(), expanded: this.expanded() }, this.newestFirst()),
  );
  readonly contentHeight = computed(() => this.offsets().height);
  /**
   * The rows in and near the viewport: the only ones in the DOM. The same window again (the
   * scroll that follows a filter keystroke lands where the render already was) is no change,
   * so the rows are not rendered a second time in that frame.
   */
  readonly window = computed(
    () => {
      const rows = this.visible();
      const offsets = this.offsets();
      // Clamped as the browser clamps scrollTop when the content shrinks (a filter keystroke while
      // following), so the first render already shows the rows the scroll that follows lands on.
      const top = Math.max(0, Math.min(this.scrollTop(), this.contentHeight() - this.viewportHeight()));
      const start = Math.max(0, offsets.indexAt(top) - OVERSCAN);
      const end = Math.min(rows.length, offsets.indexAt(top + this.viewportHeight()) + 1 + OVERSCAN);
      return { start, top: offsets.offsetOf(start), rows: rows.slice(start, end) };
    },
    { equal: (a, b) => a.start === b.start && a.top === b.top && sameItems(a.rows, b.rows) },
  );
  /** The selection's ends, found each frame from where they were (not by a search of every row). */
  private readonly anchorFinder = new RowFinder();
  private readonly focusFinder = new RowFinder();
  private readonly selectedRange = computed(() => {
    const selection = this.selection();
    if (!selection) return null;
    const rows = this.visible();
    const a = rows.itemIndex(this.anchorFinder.indexOf(rows.items, selection.anchor));
    const b = rows.itemIndex(this.focusFinder.indexOf(rows.items, selection.focus));
    if (a === -1 || b === -1) return null;
    return { from: Math.min(a, b), to: Math.max(a, b), focus: b };
  });
  readonly selectedCount = computed(() => {
    const range = this.selectedRange();
    return range ? range.to - range.from + 1 : 0;
  });
  /** The line a permalink can name: the focused one. */
  readonly focusedLine = computed(() => {
    const range = this.selectedRange();
    const row = range ? this.visible().at(range.focus) : null;
    return row?.kind === 'entry' ? row : null;
  });

  constructor() {
    if (this.initial.line !== null) this.pendingLine.set({ source: '', seq: this.initial.line });
    this.badLineNotice(this.initial.badLine);
    // New streams when the set of sessions changes, each from its oldest held entry.
    effect((onCleanup) => {
      this.sourceKey();
      const sessions = untracked(() => this.sessions());
      const sources = new LogSources(
        this.live,
        sessions.map((session) => ({ id: session.id, startCursor: session.logCursor - session.logCount })),
      );
      sources.start();
      untracked(() => {
        this.sources.set(sources);
        this.selection.set(null);
        this.expanded.set(new Map());
        this.filter.update((filter) => ({ ...filter, source: null, range: null }));
        this.placePendingLine(sessions);
      });
      onCleanup(() => sources.stop());
    });
    // In follow mode, keep the newest row in view after each render, and after the order
    // flips (the height stays, but the newest row moves to the other end).
    effect(() => {
      const height = this.contentHeight();
      this.newestFirst();
      if (!this.following()) return;
      afterNextRender(() => this.scrollToNewest(height), { injector: this.injector });
    });
    effect(() => this.showPendingLine());
    // The URL follows the filters a moment after the last keystroke (a navigation per key would cost a frame).
    let urlTimer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      const filter = this.filter();
      const newestFirst = this.newestFirst();
      clearTimeout(urlTimer);
      urlTimer = setTimeout(
        () => this.url.write({ ...filter, category: filter.category ?? null, newestFirst }),
        URL_DELAY_MS,
      );
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(urlTimer));
    // Back/forward: show the filters and order that history entry's URL names (the write that
    // follows then puts back the same URL, not the filters of the entry left).
    this.url.fromHistory.pipe(takeUntilDestroyed()).subscribe((state) => {
      clearTimeout(urlTimer);
      this.filter.update((filter) => ({
        ...filter,
        text: state.text,
        regex: state.regex,
        level: state.level,
        category: state.category,
      }));
      this.newestFirst.set(state.newestFirst);
      this.lineFromHistory(state.line);
      this.badLineNotice(state.badLine);
    });
    afterNextRender(() => this.measure());
    // The probe row gains or loses the source and category columns with the rows.
    effect(() => {
      this.merged();
      this.hasCategories();
      this.probeTime();
      afterNextRender(() => this.measureProbe(this.scroller().nativeElement), { injector: this.injector });
    });
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.measure());
    afterNextRender(() => observer?.observe(this.scroller().nativeElement));
    inject(DestroyRef).onDestroy(() => observer?.disconnect());
  }

  ngOnDestroy(): void {
    this.sources()?.stop();
  }

  // ---- rendering helpers ----

  /**
   * A row's message cut for highlighting, made once per row while the text filter and the
   * category column stay: a render of the window (a scroll, a row arriving) reuses the rows' cuts.
   */
  segments(row: LogLine): ShownSegment[] {
    const pattern = this.matcher().pattern;
    const withCategories = this.categories().length > 0;
    if (pattern !== this.shownFor.pattern || withCategories !== this.shownFor.withCategories)
      this.shownFor = { pattern, withCategories, segments: new WeakMap() };
    let shown = this.shownFor.segments.get(row);
    if (!shown) {
      shown = highlightSegments(row.segments, pattern);
      if (row.bodyStart > 0 && withCategories) shown = dropPrefix(shown, row.bodyStart);
      this.shownFor.segments.set(row, shown);
    }
    return shown;
  }

  isSelected(index: number): boolean {
    const range = this.selectedRange();
    return !!range && index >= range.from && index <= range.to;
  }

  sourceIndex(id: string): number {
    return this.sourcePlaces().get(id) ?? 0;
  }

  sourceName(id: string): string {
    return `${this.appName(id)} …${id.slice(-6)}`;
  }

  appName(id: string): string {
    const index = this.sourcePlaces().get(id);
    return index === undefined ? '?' : this.sessions()[index].appname;
  }

  elapsed(row: LogRow): string {
    return formatElapsed(row.timeMs - this.firstTime());
  }

  // ---- filters and modes ----

  setText(text: string): void {
    this.filter.update((filter) => ({ ...filter, text }));
  }

  setRegex(regex: boolean): void {
    this.filter.update((filter) => ({ ...filter, regex }));
  }

  setLevel(level: LogLevel): void {
    this.filter.update((filter) => ({ ...filter, level }));
  }

  setCategory(category: string | null): void {
    this.filter.update((filter) => ({ ...filter, category }));
  }

  /** Click on a source tag: show only that session; again to show all. */
  toggleSource(source: string): void {
    this.filter.update((filter) => ({ ...filter, source: filter.source === source ? null : source }));
  }

  setRange(range: { from: number; to: number } | null): void {
    this.filter.update((filter) => ({ ...filter, range }));
    this.pause();
  }

  setNewestFirst(newestFirst: boolean): void {
    this.newestFirst.set(newestFirst);
  }

  toggleFollow(): void {
    if (this.following()) this.pause();
    else this.resume();
  }

  resume(): void {
    this.following.set(true);
    this.scrollToNewest(this.contentHeight());
  }

  toggleData(row: LogLine): void {
    this.expanded.update((map) => {
      const next = new Map(map);
      if (!next.delete(row.key)) next.set(row.key, 1);
      return next;
    });
  }

  setDataLines(key: string, lines: number): void {
    if (this.expanded().get(key) === lines || !this.expanded().has(key)) return;
    this.expanded.update((map) => new Map(map).set(key, lines));
  }

  // ---- scrolling ----

  /** The user scrolled: leaving the newest edge pauses follow, coming back resumes it. */
  onScroll(): void {
    const element = this.scroller().nativeElement;
    this.scrollTop.set(element.scrollTop);
    if (this.autoScrolling || this.resized(element)) return;
    const edge = this.newestFirst()
      ? element.scrollTop
      : element.scrollHeight - element.clientHeight - element.scrollTop;
    const atNewest = edge < LINE_HEIGHT / 2;
    // While a permalinked line is on its way (back to an entry naming one), the log emptied for
    // the new sessions' rows is at its newest edge without the user's doing: it stays paused.
    if (atNewest && !this.following() && !this.pendingLine()) this.following.set(true);
    if (!atNewest && this.following()) this.pause();
  }

  /** Jumps to the next (or previous) error after (before) the focused or top row. */
  jumpToError(forward: boolean): void {
    const rows = this.visible();
    const from = this.selectedRange()?.focus ?? this.offsets().indexAt(this.scrollTop()) - (forward ? 1 : 0);
    const isError = (row: LogRow | undefined) => row?.kind === 'entry' && row.severity === 'error';
    const step = forward ? 1 : -1;
    const start = forward ? Math.max(0, from + 1) : Math.min(from, rows.length) - 1;
    for (let i = start; i >= 0 && i < rows.length; i += step) if (isError(rows.at(i))) return this.selectIndex(i);
  }

  /** Jumps to the first entry at or after `time` (a histogram bar): the oldest such, in either order. */
  jumpToTime(time: number): void {
    const rows = this.visible();
    const index = rows.items.findIndex((row) => row.timeMs >= time);
    if (index !== -1) this.selectIndex(rows.itemIndex(index));
  }

  // ---- selection ----

  clickRow(event: MouseEvent, index: number): void {
    const row = this.visible().at(index);
    if (!row || (event.target as Element).closest('button')) return;
    const selection = this.selection();
    if (event.shiftKey && selection) this.selection.set({ anchor: selection.anchor, focus: row.key });
    else this.selection.set({ anchor: row.key, focus: row.key });
    this.pause();
  }

  selectIndex(index: number): void {
    const row = this.visible().at(index);
    if (!row) return;
    this.selection.set({ anchor: row.key, focus: row.key });
    this.pause();
    this.scrollIntoView(index);
  }

  moveSelection(step: number): void {
    const rows = this.visible();
    if (rows.length === 0) return;
    const focus = this.selectedRange()?.focus;
    const top = this.offsets().indexAt(this.scrollTop());
    const index = focus === undefined ? top : Math.min(rows.length - 1, Math.max(0, focus + step));
    this.selectIndex(index);
  }

  // ---- copy ----

  private linesToCopy(): LogLine[] {
    const range = this.selectedRange();
    const rows = range ? this.visible().slice(range.from, range.to + 1) : this.visible().slice();
    return rows.filter((row): row is LogLine => row.kind === 'entry');
  }

  copyText(): void {
    const lines = this.linesToCopy();
    this.clipboard.copy(asText(lines, this.merged() ? (id) => this.sourceName(id) : null), countOf(lines, 'as text'));
  }

  copyNdjson(): void {
    const lines = this.linesToCopy();
    this.clipboard.copy(asNdjson(lines, this.merged()), countOf(lines, 'as NDJSON'));
  }

  copyLink(): void {
    const line = this.focusedLine();
    if (line) this.clipboard.copy(this.url.permalink(line.source, line.entry.seq), `link to line ${line.entry.seq}`);
  }

  // ---- keyboard ----

  onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === 'Escape' && event.target === this.filterInput().nativeElement) {
        this.setText('');
        this.filterInput().nativeElement.blur();
      }
      return;
    }
    if (this.dialog.openDialogs.length > 0) return;
    const action = keyAction(event.key);
    if (!action) return;
    event.preventDefault();
    switch (action) {
      case 'focus-filter':
        return this.filterInput().nativeElement.focus();
      case 'follow':
        return this.toggleFollow();
      case 'top':
        return this.toEdge(true);
      case 'bottom':
        return this.toEdge(false);
      case 'next-error':
        return this.jumpToError(true);
      case 'previous-error':
        return this.jumpToError(false);
      case 'next-line':
        return this.moveSelection(1);
      case 'previous-line':
        return this.moveSelection(-1);
      case 'clear':
        return this.clear();
      case 'help':
        return this.showKeys();
    }
  }

  showKeys(): void {
    this.dialog.open(KeysHelp, { autoFocus: 'dialog' });
  }

  /** `Esc`: the selection, the time range and the source filter go. */
  clear(): void {
    this.selection.set(null);
    this.highlightKey.set(null);
    this.filter.update((filter) => ({ ...filter, source: null, range: null }));
  }

  private toEdge(top: boolean): void {
    const newestAtTop = this.newestFirst();
    if (top === newestAtTop) return this.resume();
    this.pause();
    this.scrollToOffset(top ? 0 : this.contentHeight());
  }

  // ---- internals ----

  private pause(): void {
    if (!this.following()) return;
    this.pausedAt.set(this.sources()?.received() ?? 0);
    this.following.set(false);
  }

  private scrollToNewest(height: number): void {
    this.scrollToOffset(this.newestFirst() ? 0 : height);
  }

  private scrollIntoView(index: number): void {
    const top = this.offsets().offsetOf(index);
    const height = this.viewportHeight();
    const current = this.scrollTop();
    if (top < current || top + LINE_HEIGHT > current + height) this.scrollToOffset(Math.max(0, top - height / 3));
  }

  private scrollToOffset(top: number): void {
    const element = this.scroller().nativeElement;
    this.autoScrolling = true;
    // Clamped as the browser will, without reading layout back (which would force it now).
    const clamped = Math.max(0, Math.min(top, this.contentHeight() - this.viewportHeight()));
    element.scrollTop = clamped;
    this.scrollTop.set(clamped);
    requestAnimationFrame(() => (this.autoScrolling = false));
  }

  /**
   * Whether the log's size changed since it was last measured: a scroll then is the browser
   * keeping the scroll position in range, not the user leaving the newest edge.
   */
  private resized(element: HTMLElement): boolean {
    return element.clientHeight !== this.viewportHeight() || element.clientWidth !== this.viewportWidth();
  }

  /** The log's size, and its font's width; a new size while following keeps the newest edge in view. */
  private measure(): void {
    const element = this.scroller().nativeElement;
    const resized = this.resized(element);
    if (element.clientHeight > 0) this.viewportHeight.set(element.clientHeight);
    if (element.clientWidth > 0) this.viewportWidth.set(element.clientWidth);
    if (resized && this.following()) {
      // The scroll events this resize causes arrive before the scroll below: they are not the user's.
      this.autoScrolling = true;
      afterNextRender(() => this.scrollToNewest(this.contentHeight()), { injector: this.injector });
    }
    this.measureProbe(element);
  }

  /** The font's width and the message column's, from the probe row (laid out as a row is). */
  private measureProbe(element: HTMLElement): void {
    const width = (name: string) => element.querySelector(`[data-probe="${name}"]`)?.getBoundingClientRect().width ?? 0;
    const char = width('chars') / 10;
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
    const last = this.messageColumn();
    if (
      !last ||
      last.width !== next.width ||
      last.besideData !== next.besideData ||
      last.inlineCategory !== next.inlineCategory
    )
      this.messageColumn.set(next);
  }

  /**
   * Back/forward to an entry whose URL names a line (`?line=`): the line is shown as on first
   * open — selected, outlined and scrolled to, or the notice of why not. The sessions of that
   * entry may come in with this render (their streams then start and place the line) or be
   * the ones shown already (then the line is placed here, after the render).
   */
  private lineFromHistory(line: number | null): void {
    this.lineNotice.set(null);
    this.highlightKey.set(null);
    if (line === null) {
      this.pendingLine.set(null);
      return;
    }
    this.pendingLine.set({ source: '', seq: line });
    this.selection.set(null);
    this.pause();
    afterNextRender(
      () => {
        if (this.pendingLine()?.source !== '' || this.sessions().length === 0) return;
        const received = this.sources()?.received() ?? 0;
        this.placePendingLine(this.sessions());
        // The same streams go on: what they brought so far is not news.
        if (this.pendingLine()) this.pausedAt.set(received);
      },
      { injector: this.injector },
    );
  }

  /** A link whose `?line=` names no line (cut short, or typed by hand) says so. */
  private badLineNotice(text: string | null): void {
    if (text === null) return;
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    this.lineNotice.set(`"${shown}" in the link is not a line number (lines count from 0).`);
  }

  /** For a permalink: tell at once when the line was evicted or never written. */
  private placePendingLine(sessions: readonly Session[]): void {
    const pending = this.pendingLine();
    if (!pending) return;
    const session = sessions[0];
    const firstHeld = session.logCursor - session.logCount;
    this.lineNotice.set(null);
    if (pending.seq < firstHeld) {
      this.lineNotice.set(
        `Line ${pending.seq} was evicted: the server now holds lines ${firstHeld}–${session.logCursor - 1} of this session.`,
      );
      this.pendingLine.set(null);
      this.following.set(true);
    } else if (pending.seq >= session.logCursor) {
      this.lineNotice.set(`Line ${pending.seq} has not been written: this session has ${session.logCursor} lines.`);
      this.pendingLine.set(null);
      this.following.set(true);
    } else {
      this.pendingLine.set({ source: session.id, seq: pending.seq });
      // The view opens paused on the line: what the sessions hold now is their backlog, not news
      // (in a merged view every session's, not only the one the line is in).
      this.pausedAt.set(sessions.reduce((count, shown) => count + shown.logCount, 0));
    }
  }

  /** Once the permalinked line has arrived: select and highlight it, scrolled into view, or say why it is not shown. */
  private showPendingLine(): void {
    const pending = this.pendingLine();
    if (!pending?.source) return;
    const rows = this.visible();
    const key = `${pending.source}:${pending.seq}`;
    const index = rows.findIndex((row) => row.key === key);
    if (index !== -1) {
      untracked(() => {
        this.pendingLine.set(null);
        this.highlightKey.set(key);
        this.selection.set({ anchor: key, focus: key });
        afterNextRender(() => this.scrollIntoView(index), { injector: this.injector });
      });
      return;
    }
    if (
      this.sources()
        ?.rows()
        .some((row) => row.key === key)
    )
      return untracked(() => {
        this.pendingLine.set(null);
        this.lineNotice.set(`Line ${pending.seq} is hidden by the filters: change them to see it.`);
      });
    const passed = rows.items.some(
      (row) => row.kind === 'entry' && row.source === pending.source && row.entry.seq > pending.seq,
    );
    if (passed)
      untracked(() => {
        this.pendingLine.set(null);
        this.lineNotice.set(`Line ${pending.seq} is not shown: it was evicted, or the filters hide it.`);
      });
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

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function countOf(lines: readonly unknown[], how: string): string {
  return `${lines.length} ${lines.length === 1 ? 'line' : 'lines'} ${how}`;
}
