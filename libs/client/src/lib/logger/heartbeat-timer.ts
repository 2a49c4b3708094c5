import { timerMs, unref } from './timers';

/**
 * Calls `onQuiet` once `periodMs` have passed since the last request, again and again until
 * stopped. It wakes for the end of each period, not on a fixed tick: a tick of its own would
 * send heartbeats up to a tick late, and a SESSIONS_TIMEOUT_S as short as the heartbeat could
 * then expire the session. Its timer never keeps a process alive.
 */
export class HeartbeatTimer {
  private lastRequestAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly periodMs: number,
    private readonly onQuiet: () => void,
  ) {}

  /** Starts timing (a period of 0: never). */
  start(): void {
    if (this.periodMs > 0) this.arm();
  }

  /** A request was answered: the next heartbeat is due a period from now. */
  answered(): void {
    this.lastRequestAt = Date.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private arm(): void {
    const untilDue = this.lastRequestAt + this.periodMs - Date.now();
    this.timer = setTimeout(() => this.fire(), timerMs(untilDue > 0 ? untilDue : this.periodMs));
    unref(this.timer);
  }

  private fire(): void {
    if (Date.now() - this.lastRequestAt >= this.periodMs) this.onQuiet();
    if (!this.stopped) this.arm();
  }
}
