import { ScrollingModule, CdkVirtualScrollViewport } from '@angular/cdk/scrolling';
import { DatePipe, JsonPipe } from '@angular/common';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  Injector,
  input,
  OnDestroy,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { LOG_LEVELS, LogEntry, LogLevel, Session } from '@zen/contract';
import { LogFeed } from '../core/log-feed';
import { filterRows, highlight, LogFilterState, LogRow, textMatcher } from './log-rows';
import { LogStream } from './log-stream';

/** Fixed row height: what lets the virtual scroll keep 10,000 rows cheap. */
export const ROW_HEIGHT = 24;

/**
 * The live log of one session: follow mode, ordering, text/regex and level filters
 * with highlighting, gap rows, and jumps to errors. Messages are rendered as text
 * nodes only, so nothing a client logs is ever interpreted as HTML.
 */
@Component({
  selector: 'zen-log-viewer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ScrollingModule,
    DatePipe,
    JsonPipe,
    FormsModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
  ],
  templateUrl: './log-viewer.html',
  styleUrl: './log-viewer.scss',
})
export class LogViewer implements OnDestroy {
  private readonly feed = inject(LogFeed);
  private readonly injector = inject(Injector);
  private readonly viewport = viewChild(CdkVirtualScrollViewport);

  readonly session = input.required<Session>();
  /** Every push brings a new session object; only a new id means a new stream. */
  private readonly sessionId = computed(() => this.session().id);
  readonly levels = LOG_LEVELS;
  readonly rowHeight = ROW_HEIGHT;

  readonly stream = signal<LogStream | null>(null);
  readonly filter = signal<LogFilterState>({ level: 'debug', text: '', regex: false });
  readonly newestFirst = signal(false);
  readonly following = signal(true);
  /** `received` count when follow was paused. */
  private readonly pausedAt = signal(0);
  readonly selected = signal<LogEntry | null>(null);
  private autoScrolling = false;

  readonly matcher = computed(() => textMatcher(this.filter()));
  readonly visible = computed<LogRow[]>(() => {
    const rows = this.stream()?.rows() ?? [];
    const filtered = filterRows(rows, this.filter(), this.matcher().pattern);
    return this.newestFirst() ? filtered.slice().reverse() : filtered;
  });
  readonly total = computed(() => this.stream()?.rows().length ?? 0);
  readonly newEntries = computed(() => (this.following() ? 0 : (this.stream()?.received() ?? 0) - this.pausedAt()));

  constructor() {
    // A new stream per selected session, starting at its oldest held entry.
    effect((onCleanup) => {
      const id = this.sessionId();
      const session = untracked(() => this.session());
      const stream = new LogStream(this.feed, id, session.logCursor - session.logCount);
      stream.start();
      untracked(() => {
        this.stream.set(stream);
        this.selected.set(null);
        this.following.set(true);
      });
      onCleanup(() => stream.stop());
    });
    // In follow mode, keep the newest row in view after each render.
    effect(() => {
      const rows = this.visible();
      if (!this.following()) return;
      afterNextRender(() => this.scrollToNewest(rows.length), { injector: this.injector });
    });
  }

  ngOnDestroy(): void {
    this.stream()?.stop();
  }

  trackRow(_index: number, row: LogRow): string {
    return row.kind === 'entry' ? `e${row.entry.seq}` : `g${row.before}`;
  }

  parts(message: string): { text: string; match: boolean }[] {
    return highlight(message, this.matcher().pattern);
  }

  setText(text: string): void {
    this.filter.update((filter) => ({ ...filter, text }));
  }

  setRegex(regex: boolean): void {
    this.filter.update((filter) => ({ ...filter, regex }));
  }

  setLevel(level: LogLevel): void {
    this.filter.update((filter) => ({ ...filter, level }));
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
    this.scrollToNewest(this.visible().length);
  }

  /** The user scrolled: leaving the newest edge pauses follow, coming back resumes it. */
  onScroll(): void {
    if (this.autoScrolling) return;
    const viewport = this.viewport();
    if (!viewport) return;
    const edge = viewport.measureScrollOffset(this.newestFirst() ? 'top' : 'bottom');
    const atNewest = edge < this.rowHeight / 2;
    if (atNewest && !this.following()) this.following.set(true);
    if (!atNewest && this.following()) this.pause();
  }

  /** Scrolls to the first error, or the next one after the top visible row. */
  jumpToError(next: boolean): void {
    const rows = this.visible();
    const viewport = this.viewport();
    const from = next && viewport ? Math.floor(viewport.measureScrollOffset('top') / this.rowHeight) + 1 : 0;
    const index = rows.findIndex((row, i) => i >= from && row.kind === 'entry' && row.entry.level === 'error');
    if (index === -1) return;
    this.pause();
    this.scrollTo(index);
    const row = rows[index];
    if (row.kind === 'entry') this.selected.set(row.entry);
  }

  select(entry: LogEntry): void {
    this.selected.set(this.selected()?.seq === entry.seq ? null : entry);
  }

  private pause(): void {
    this.pausedAt.set(this.stream()?.received() ?? 0);
    this.following.set(false);
  }

  private scrollToNewest(count: number): void {
    if (count === 0) return;
    this.scrollTo(this.newestFirst() ? 0 : count - 1);
  }

  private scrollTo(index: number): void {
    const viewport = this.viewport();
    if (!viewport) return;
    this.autoScrolling = true;
    viewport.scrollToOffset(index * this.rowHeight);
    requestAnimationFrame(() => (this.autoScrolling = false));
  }
}
