import { afterNextRender, computed, DestroyRef, inject, Injector, signal } from '@angular/core';
import { LINE_HEIGHT, Offsets } from './row-layout';
import { ScrollIntent } from './scroll-intent';

/** What following and scrolling read of the rest of the log view. */
export interface ScrolledLog {
  /** The scrolled element: the log's rows. */
  element(): HTMLElement;
  offsets(): Offsets;
  /** The height of every row shown (a signal that changes only when the height does). */
  contentHeight(): number;
  newestFirst(): boolean;
  /** Entries received so far: the new ones are counted from here while paused. */
  received(): number;
  /** Whether a permalinked line is on its way: the view stays paused at the newest edge meanwhile. */
  awaitingLine(): boolean;
  /**
   * Whether the rows are cut to a time range: what arrives falls after it, so there is nothing to
   * follow, and the newest edge of the range (where the browser's scroll into the shorter log
   * lands) does not resume follow.
   */
  rangeChosen(): boolean;
}

/**
 * Follow mode and the log's scroll position: following keeps the newest row in view; leaving
 * the newest edge pauses it (and counts what arrives), coming back resumes it. The log's size
 * is kept here too, as a scroll caused by a resize is the browser's, not the user's.
 */
export class FollowScroll {
  private readonly injector = inject(Injector);
  readonly following = signal(true);
  /** `received` count when follow was paused. */
  private readonly pausedAt = signal(0);
  readonly newEntries = computed(() => (this.following() ? 0 : this.log.received() - this.pausedAt()));
  readonly scrollTop = signal(0);
  readonly viewportHeight = signal(600);
  readonly viewportWidth = signal(800);
  /** Set from the log's own scroll until the next frame: the scroll events meanwhile are its own. */
  private autoScrolling = false;
  /**
   * But not those the person causes meanwhile: following a busy log, nearly every frame is one
   * of the log's own scrolls, and a wheel in it would be lost, the log still "Following".
   */
  private readonly person = new ScrollIntent();

  constructor(
    private readonly log: ScrolledLog,
    following: boolean,
  ) {
    this.following.set(following);
    const stop = new AbortController();
    inject(DestroyRef).onDestroy(() => stop.abort());
    afterNextRender(() => this.person.watch(this.log.element(), stop.signal));
  }

  toggle(): void {
    if (this.following()) this.pause();
    else this.resume();
  }

  resume(): void {
    this.following.set(true);
    this.scrollToNewest(this.log.contentHeight());
  }

  pause(): void {
    if (!this.following()) return;
    this.countNewFrom(this.log.received());
    this.following.set(false);
  }

  /** New entries are counted from `received` on: what came before is not news. */
  countNewFrom(received: number): void {
    this.pausedAt.set(received);
  }

  /**
   * In follow mode, keeps the newest row in view after the render, and after the order flips
   * (the height stays, but the newest row moves to the other end). Run in an effect.
   */
  keepNewestInView(): void {
    const height = this.log.contentHeight();
    this.log.newestFirst();
    if (!this.following()) return;
    afterNextRender(() => this.scrollToNewest(height), { injector: this.injector });
  }

  /** The user scrolled: leaving the newest edge pauses follow, coming back resumes it. */
  onScroll(): void {
    const element = this.log.element();
    this.scrollTop.set(element.scrollTop);
    if ((this.autoScrolling && !this.person.scrolling()) || this.resized(element)) return;
    const edge = this.log.newestFirst()
      ? element.scrollTop
      : element.scrollHeight - element.clientHeight - element.scrollTop;
    const atNewest = edge < LINE_HEIGHT / 2;
    // While a permalinked line is on its way (back to an entry naming one), the log emptied for
    // the new sessions' rows is at its newest edge without the user's doing: it stays paused. So
    // does a log cut to a time range: its newest edge is not the log's (`f` still resumes).
    if (atNewest && !this.following() && !this.log.awaitingLine() && !this.log.rangeChosen()) this.following.set(true);
    if (!atNewest && this.following()) this.pause();
  }

  /** `g` / `G`: to the top or the bottom, which is the newest edge (follow) or the oldest (paused). */
  toEdge(top: boolean): void {
    if (top === this.log.newestFirst()) return this.resume();
    this.pause();
    this.scrollTo(top ? 0 : this.log.contentHeight());
  }

  /** The row at the top of the viewport. */
  topIndex(): number {
    return this.log.offsets().indexAt(this.scrollTop());
  }

  /** Scrolls row `index` into view (a third of the way down) unless it is in view already. */
  intoView(index: number): void {
    const top = this.log.offsets().offsetOf(index);
    const height = this.viewportHeight();
    const current = this.scrollTop();
    if (top < current || top + LINE_HEIGHT > current + height) this.scrollTo(Math.max(0, top - height / 3));
  }

  /** Where row `index` starts in the viewport, in px from its top (negative above it). */
  placeOf(index: number): number {
    return this.log.offsets().offsetOf(index) - this.scrollTop();
  }

  /** Scrolls row `index` back to `place` (from `placeOf`), after the rows' heights changed. */
  toPlace(index: number, place: number): void {
    this.scrollTo(this.log.offsets().offsetOf(index) - place);
  }

  /** Whether row `index` starts within the viewport. */
  inView(index: number): boolean {
    const place = this.placeOf(index);
    return place >= 0 && place < this.viewportHeight();
  }

  /** The log's size; a new size while following keeps the newest edge in view. */
  measure(element: HTMLElement): void {
    const resized = this.resized(element);
    if (element.clientHeight > 0) this.viewportHeight.set(element.clientHeight);
    if (element.clientWidth > 0) this.viewportWidth.set(element.clientWidth);
    if (resized && this.following()) {
      // The scroll events this resize causes arrive before the scroll below: they are not the user's.
      this.autoScrolling = true;
      afterNextRender(() => this.scrollToNewest(this.log.contentHeight()), { injector: this.injector });
    }
  }

  private scrollToNewest(height: number): void {
    this.scrollTo(this.log.newestFirst() ? 0 : height);
  }

  private scrollTo(top: number): void {
    const element = this.log.element();
    this.autoScrolling = true;
    // Clamped as the browser will, without reading layout back (which would force it now).
    const clamped = Math.max(0, Math.min(top, this.log.contentHeight() - this.viewportHeight()));
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
}
