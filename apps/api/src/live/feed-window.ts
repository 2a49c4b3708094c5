/** What a window's events were: deltas only, or a full listing among them. */
export type WindowEvents = 'delta' | 'listing';

/**
 * The sessions feed's coalescing window: what changes until it closes goes out as one
 * event, within SESSIONS_WS_DELTA_MS of the window's first change.
 *
 * A window closes early by what its events took to build and send lately, plus a margin
 * (a listing of thousands of sessions takes tens of ms; a delta of a few, a few ms), so
 * that they reach clients in time. The estimates come from past windows, each up at once
 * to a slower one, down an eighth of the way to a faster one; they start at the fixed
 * allowance the feed used to have.
 */
export class FeedWindow {
  private timer: NodeJS.Timeout | null = null;
  /** When (performance.now()) the open window closes. */
  private due = 0;
  /** How long, in ms, from a window's close until its events were sent, by what they were. */
  private readonly cost: Record<WindowEvents, number>;

  /** `close` gets the time (performance.now()) the window was due to close. */
  constructor(
    private readonly windowMs: number,
    private readonly close: (closedAt: number) => void,
  ) {
    const allowance = Math.min(20, Math.floor(windowMs / 5));
    this.cost = { delta: allowance, listing: allowance };
  }

  /** A change: the window closes early enough for events of this kind to go out in time. */
  changed(events: WindowEvents): void {
    this.arm(this.windowMs - this.lead(events));
  }

  /**
   * How much earlier than SESSIONS_WS_DELTA_MS after its first change a window closes:
   * what its events took lately, plus a margin; at most half the window, so that a slow
   * store cannot collapse it.
   */
  lead(events: WindowEvents): number {
    const cost = events === 'listing' ? Math.max(this.cost.listing, this.cost.delta) : this.cost.delta;
    return Math.min(Math.floor(this.windowMs / 2), Math.ceil(cost + Math.max(2, this.windowMs / 10)));
  }

  /** One more measure of what a window's events took, in ms. */
  measured(events: WindowEvents, ms: number): void {
    const cost = this.cost[events];
    this.cost[events] = ms > cost ? ms : cost + (ms - cost) / 8;
  }

  /**
   * Starts a window closing in `delayMs` unless one is open that closes no later. A change
   * that needs the window closed sooner (a create needs a listing for full clients, slower
   * than a delta) moves its close forward.
   */
  arm(delayMs: number): void {
    const due = performance.now() + delayMs;
    if (this.timer) {
      if (due >= this.due) return;
      clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.close(due);
    }, delayMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
