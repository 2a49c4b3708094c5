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
  LOCALE_ID,
  OnDestroy,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
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
import { Notices } from '../core/notices';
import { ViewPrefs } from '../core/view-prefs';
import { FilteredRows } from './filtered-rows';
import { FollowScroll } from './follow-scroll';
import { JsonTree } from './json-tree';
import { KeysHelp } from './keys-help';
import { LinkNotice } from './link-notice';
import { asNdjson, asText, copiedNote } from './log-copy';
import { LogHistogram } from './log-histogram';
import { KeyAction, shortcutOf } from './log-keys';
import { LogLine } from './log-line';
import { LogFilterState, ShownSegment } from './log-rows';
import { LogSources } from './log-sources';
import { LogUrl, LogUrlState, TimeRange } from './log-url';
import { syncFiltersWithUrl } from './log-url-sync';
import { OpenData } from './open-data';
import { PermalinkLine } from './permalink-line';
import { rangeTime } from './range-times';
import { ReadingPlace } from './reading-place';
import { LINE_HEIGHT, MAX_DATA_LINES } from './row-layout';
import { RowSelection } from './row-selection';
import { RowTimes } from './row-times';
import { RowWindowing } from './row-window';
import { ShownSegments } from './shown-segments';
import { firstShown, ShownSessions } from './shown-sessions';
import { WrapColumns } from './wrap-columns';

/**
 * The live log of one session, or of several merged by time: follow mode, ordering,
 * filters (text/regex, level, Unreal category, source, time range) with highlighting,
 * ANSI colours, gap rows, a volume histogram, inline data trees, permalinks, copy and
 * keyboard navigation. Messages are rendered as text nodes only, so nothing a client
 * logs is ever interpreted as HTML. This class wires the view's parts (the rooms beside
 * it: filtered rows, follow and scroll, selection, permalink, wrap widths, URL sync) to
 * the template.
 */
@Component({
  selector: 'zen-log-viewer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
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
  private readonly url = inject(LogUrl);
  private readonly clipboard = inject(CopyText);
  private readonly notices = inject(Notices);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  readonly prefs = inject(ViewPrefs);
  private readonly scroller = viewChild.required<ElementRef<HTMLElement>>('scroller');
  private readonly filterInput = viewChild.required<ElementRef<HTMLInputElement>>('filterInput');

  /** The sessions shown: one, or several merged by time. */
  readonly sessions = input.required<readonly Session[]>();
  /**
   * The session a link's `?line=` names a line of: the first its URL lists, which the server may
   * not know (forgotten) while the others are shown. Unset: the first session shown.
   */
  readonly linkedId = input<string | null>(null);
  readonly shown = new ShownSessions(this.sessions);
  readonly merged = this.shown.merged;
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
    range: this.initial.range,
  });
  /**
   * The range a link names (`?from=&to=`, first open or back/forward), until the sessions it goes
   * with open: new sessions clear the range, but not the one their own link names.
   */
  private linkRange: TimeRange | null = this.initial.range;
  /** Why the link's `from` / `to` were ignored (as the line's notice says why a `?line=` was). */
  private readonly rangeNotice = new LinkNotice('range', () => this.revealInPage());
  readonly newestFirst = signal(this.initial.newestFirst);
  private readonly locale = inject(LOCALE_ID);
  readonly times = new RowTimes(() => this.sources()?.rows() ?? [], this.prefs.relativeTimes, this.locale);
  /** The time range's chip: its ends, dated when it spans days or the log does (as its rows are then). */
  readonly rangeText = computed(() => {
    const range = this.filter().range;
    const dated = this.times.spansDays();
    const end = (ms: number) => rangeTime(ms, range ?? { from: ms, to: ms }, false, this.locale, dated);
    return range && `${end(range.from)} – ${end(range.to)}`;
  });
  readonly data = new OpenData();
  readonly expanded = this.data.lines;

  private readonly filtered = new FilteredRows({
    sources: this.sources,
    filter: this.filter,
    newestFirst: this.newestFirst,
  });
  readonly matcher = this.filtered.matcher;
  /** The rows shown, in the time range when one is set: what the histogram counts (zoomed in on the range). */
  readonly inRange = this.filtered.inRange;
  readonly visible = this.filtered.visible;
  readonly total = computed(() => this.sources()?.rows().length ?? 0);
  readonly categories = computed(() => this.sources()?.categories() ?? []);
  /**
   * The Category field's choices: the categories seen, and the one the filter names even before a
   * line of it is seen (a link's), so the field shows the filter that hides the rows.
   */
  readonly categoryOptions = computed(() => {
    const seen = this.categories();
    const chosen = this.filter().category;
    return chosen && !seen.includes(chosen) ? [...seen, chosen].sort() : seen;
  });
  readonly hasCategories = computed(() => this.categories().length > 0);

  private readonly scroll: FollowScroll = new FollowScroll(
    {
      element: () => this.scroller().nativeElement,
      offsets: () => this.offsets(),
      contentHeight: () => this.contentHeight(),
      newestFirst: () => this.newestFirst(),
      received: () => this.sources()?.received() ?? 0,
      awaitingLine: () => this.line.awaited(),
      rangeChosen: () => this.filter().range !== null,
    },
    this.initial.line === null && this.initial.range === null,
  );
  readonly following = this.scroll.following;
  readonly newEntries = this.scroll.newEntries;
  private readonly wrap = new WrapColumns({
    wrap: () => this.prefs.wrap(),
    viewportWidth: () => this.scroll.viewportWidth(),
    merged: () => this.merged(),
    hasCategories: () => this.hasCategories(),
  });
  private readonly windowing = new RowWindowing({
    rows: () => this.filtered.inRange(),
    visible: () => this.visible(),
    layout: () => ({ ...this.wrap.options(), expanded: this.expanded() }),
    newestFirst: () => this.newestFirst(),
    viewport: () => ({ scrollTop: this.scroll.scrollTop(), height: this.scroll.viewportHeight() }),
  });
  private readonly offsets = this.windowing.offsets;
  readonly contentHeight = computed(() => this.offsets().height);
  /** The rows in and near the viewport: the only ones in the DOM. */
  readonly window = this.windowing.window;

  private readonly selected = new RowSelection(this.visible, this.scroll);
  readonly selection = this.selected.keys;
  readonly selectedCount = this.selected.count;
  readonly focusedLine = this.selected.focusedLine;
  private readonly line = new PermalinkLine({
    sessions: () => this.sessions(),
    linkedId: () => this.linkedId(),
    sources: () => this.sources(),
    visible: () => this.visible(),
    selection: this.selected,
    scroll: this.scroll,
    reveal: () => this.revealInPage(),
  });
  /** Paused, what changes the rows shown or their layout keeps the line read in its place. */
  private readonly reading = new ReadingPlace({
    following: () => this.following(),
    visible: () => this.visible(),
    rows: () => this.sources()?.rows() ?? [],
    focus: () => this.selected.range()?.focus,
    scroll: this.scroll,
  });
  /** What the view says of its link: the line's notice, then the range's. */
  readonly linkNotices: readonly LinkNotice[] = [this.line.notice, this.rangeNotice];
  readonly highlightKey = this.line.highlightKey;
  private readonly shownSegments = new ShownSegments();

  /** What each keyboard shortcut does. */
  private readonly keyActions: Record<KeyAction, () => void> = {
    'focus-filter': () => this.filterInput().nativeElement.focus(),
    follow: () => this.toggleFollow(),
    top: () => this.scroll.toEdge(true),
    bottom: () => this.scroll.toEdge(false),
    'next-error': () => this.jumpToError(true),
    'previous-error': () => this.jumpToError(false),
    'next-line': () => this.moveSelection(1),
    'previous-line': () => this.moveSelection(-1),
    clear: () => this.clear(),
    help: () => this.showKeys(),
  };

  constructor() {
    this.line.open(this.initial.line, this.initial.badLine);
    this.rangeNotice.say(this.initial.badRange);
    effect((onCleanup) => {
      this.shown.key();
      const sources = untracked(() => this.openSources(this.sessions()));
      onCleanup(() => sources.stop());
    });
    effect(() => this.scroll.keepNewestInView());
    // Paused to read (not while a permalinked line is on its way), no row leaves the view: see LogSources.hold.
    effect(() => {
      const sources = this.sources();
      const hold = !this.following() && !this.line.awaited();
      untracked(() => sources?.hold(hold));
    });
    effect(() => this.line.showWhenArrived());
    syncFiltersWithUrl(this.url, { filter: this.filter, newestFirst: this.newestFirst }, (state) =>
      this.showFromHistory(state),
    );
    this.watchSize();
  }

  ngOnDestroy(): void {
    this.sources()?.stop();
  }

  // ---- rendering helpers ----

  segments(row: LogLine): ShownSegment[] {
    return this.shownSegments.of(row, this.matcher().pattern, this.categories().length > 0);
  }

  isSelected(index: number): boolean {
    return this.selected.has(index);
  }

  /**
   * The id of the selection's focus row while it is rendered, for the grid's
   * `aria-activedescendant`: the keyboard's focus stays on the grid as j/k, n/N and clicks move
   * the selection, and a screen reader says the row it names.
   */
  readonly activeRowId = computed(() => {
    const focus = this.selected.range()?.focus;
    const { start, rows } = this.window();
    return focus !== undefined && focus >= start && focus < start + rows.length ? `log-row-${focus}` : null;
  });

  /** Whether the row shown at `index` is the selection's focus: the one row whose buttons Tab reaches. */
  isFocusRow(index: number): boolean {
    return this.selected.range()?.focus === index;
  }

  // ---- filters and modes ----

  setText(text: string): void {
    this.reading.keep(() => this.refine({ text }));
  }

  setRegex(regex: boolean): void {
    this.reading.keep(() => this.refine({ regex }));
  }

  setLevel(level: LogLevel): void {
    this.reading.keep(() => this.refine({ level }));
  }

  setCategory(category: string | null): void {
    this.reading.keep(() => this.refine({ category }));
  }

  /** Click on a source tag (of the row shown at `index`): show only that session; again to show all. */
  toggleSource(source: string, index?: number): void {
    this.reading.keep(() => this.refine({ source: this.filter().source === source ? null : source }), index);
  }

  /** A range dragged or chosen on the histogram, or cleared (its ✕, `Esc` on it); paused, the line read keeps its place. */
  setRange(range: { from: number; to: number } | null): void {
    this.reading.keep(() => this.refine({ range }));
    this.scroll.pause();
  }

  setNewestFirst(newestFirst: boolean): void {
    this.reading.keep(() => this.newestFirst.set(newestFirst));
  }

  /** Wrap on or off; paused, the line read keeps its place (`ReadingPlace`). */
  setWrap(wrap: boolean): void {
    this.reading.keep(() => this.prefs.wrap.set(wrap));
  }

  /** Relative or absolute times (a column of another width, wrapped rows laid out anew); paused, the line read keeps its place. */
  setRelativeTimes(relative: boolean): void {
    this.reading.keep(() => this.prefs.relativeTimes.set(relative));
  }

  toggleFollow(): void {
    this.scroll.toggle();
  }

  resume(): void {
    this.scroll.resume();
  }

  onScroll(): void {
    this.scroll.onScroll();
    this.reading.note();
  }

  // ---- selection and jumps ----

  clickRow(event: MouseEvent, index: number): void {
    this.selected.click(event, index);
  }

  selectIndex(index: number): void {
    this.selected.select(index);
  }

  moveSelection(step: number): void {
    this.selected.move(step);
  }

  jumpToError(forward: boolean): void {
    this.selected.jumpToError(forward);
  }

  jumpToTime(time: number): void {
    this.selected.jumpToTime(time);
  }

  // ---- copy ----

  copyText(): void {
    const lines = this.selected.lines();
    const sourceName = this.merged() ? (id: string) => this.shown.sourceName(id) : null;
    this.clipboard.copy(asText(lines, sourceName), copiedNote(lines, 'as text'));
  }

  copyNdjson(): void {
    const lines = this.selected.lines();
    this.clipboard.copy(asNdjson(lines, this.merged()), copiedNote(lines, 'as NDJSON'));
  }

  copyLink(): void {
    const line = this.focusedLine();
    if (line) this.clipboard.copy(this.url.permalink(line.source, line.entry.seq), `link to line ${line.entry.seq}`);
  }

  // ---- keyboard ----

  onKey(event: KeyboardEvent): void {
    const filter = this.filterInput().nativeElement;
    const action = shortcutOf(event, filter, this.dialog.openDialogs.length > 0);
    if (action === 'leave-filter') {
      this.setText('');
      filter.blur();
    } else if (action) {
      event.preventDefault();
      this.keyActions[action]();
    }
  }

  showKeys(): void {
    this.dialog.open(KeysHelp, { autoFocus: 'dialog' });
  }

  /** `Esc`: the selection, the time range and the source filter go; paused, the line read keeps its place. */
  clear(): void {
    this.reading.keep(() => {
      this.selection.set(null);
      this.highlightKey.set(null);
      this.filter.update((filter) => ({ ...filter, source: null, range: null }));
    });
  }

  // ---- wiring ----

  private refine(change: Partial<LogFilterState>): void {
    this.filter.update((filter) => ({ ...filter, ...change }));
  }

  /**
   * New streams for a new set of sessions, each from its oldest held entry; the view's choices of
   * rows go. They open as their link opens them: on the permalinked line on its way (first open,
   * or back to an entry naming one), else following at the newest line. A pause in the sessions
   * left is not theirs: it kept a longer log at the top, its backlog counted as "N new entries".
   */
  private openSources(sessions: readonly Session[]): LogSources {
    const sources = new LogSources(this.live, this.shown.streams(sessions));
    sources.onRewound = (id, from, to) =>
      this.notices.problem(
        `The log of ${this.shown.sourceName(id)} went back from ${from} to ${to} entries (its server's store came back in an older state): the lines the store lost are no longer shown`,
      );
    sources.start();
    this.sources.set(sources);
    this.selection.set(null);
    this.data.closeAll();
    // A range the link names opens paused, as one dragged does; the backlog is not news.
    const range = this.linkRange;
    this.linkRange = null;
    this.filter.update((filter) => ({ ...filter, source: null, range }));
    if (this.line.awaited()) this.line.place(sessions);
    else if (range) this.pauseOnBacklog(sessions);
    else this.scroll.following.set(true);
    return sources;
  }

  /** Paused on opening `sessions`: what they hold now is their backlog, not news. */
  private pauseOnBacklog(sessions: readonly Session[]): void {
    this.scroll.following.set(false);
    this.scroll.countNewFrom(sessions.reduce((count, shown) => count + shown.logCursor - firstShown(shown), 0));
  }

  /**
   * Back/forward: show the filters, order, time range and line that history entry's URL names.
   * The entry's sessions may come in with this render (their streams then take the range) or be
   * the ones shown already.
   */
  private showFromHistory(state: LogUrlState): void {
    const { text, regex, level, category, range } = state;
    this.filter.update((filter) => ({ ...filter, text, regex, level, category, range }));
    this.newestFirst.set(state.newestFirst);
    this.rangeNotice.say(state.badRange);
    this.linkRange = range;
    if (range) this.scroll.pause();
    afterNextRender(() => (this.linkRange = null), { injector: this.injector });
    this.line.fromHistory(state.line, state.badLine);
  }

  /** The log's size and its columns' widths: measured after the first render, on resize, and as the probe row changes. */
  private watchSize(): void {
    afterNextRender(() => this.measure());
    // The probe row gains or loses the source and category columns with the rows.
    effect(() => {
      this.merged();
      this.hasCategories();
      this.times.probe();
      afterNextRender(() => this.wrap.measure(this.scroller().nativeElement), { injector: this.injector });
    });
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.resized());
    afterNextRender(() => observer?.observe(this.scroller().nativeElement));
    inject(DestroyRef).onDestroy(() => observer?.disconnect());
  }

  /**
   * A new size of the log. Wrapped, a new width lays the rows out anew (each row as many lines as
   * it wraps to): paused, the line read keeps its place (`ReadingPlace`), as the scroll offset in
   * px alone would show other rows.
   */
  private resized(): void {
    const widthChanged = this.scroller().nativeElement.clientWidth !== this.scroll.viewportWidth();
    if (this.prefs.wrap() && widthChanged) this.reading.keep(() => this.measure());
    else this.measure();
  }

  private measure(): void {
    const element = this.scroller().nativeElement;
    this.scroll.measure(element);
    this.wrap.measure(element);
  }

  /**
   * Below 900 px the panes stack and the page scrolls, the log last: a permalinked line was
   * scrolled to inside the log, or a notice of the link's said above it, below the fold. The page
   * then scrolls the log on screen (whole when it fits). Where the log is on screen already, as
   * in the side-by-side layout, nothing moves.
   */
  private revealInPage(): void {
    const box = this.host.nativeElement.getBoundingClientRect();
    const height = window.innerHeight;
    if (box.top >= 0 && box.bottom <= height) return;
    window.scrollBy({ top: box.height <= height ? box.bottom - height : box.top });
  }
}
