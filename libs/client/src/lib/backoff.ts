import { timerMs } from './logger/timers';

export interface BackoffOptions {
  /** First delay, in ms. */
  initialMs?: number;
  /** Longest delay, in ms. */
  maxMs?: number;
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so clients spread out. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 250;
    this.maxMs = options.maxMs ?? 10_000;
  }

  /**
   * The delay before the next attempt; at least `floorMs` (a server's `Retry-After`), and at most
   * what a timer can wait (a `Retry-After` a month ahead would otherwise fire at once).
   */
  next(floorMs = 0): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return timerMs(Math.max(floorMs, ceiling / 2 + Math.random() * (ceiling / 2)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
