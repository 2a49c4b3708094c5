/** How long the count of warnings runs before it starts again. */
export const WARNING_WINDOW_MS = 60_000;

/**
 * The warnings about WebSocket clients that broke the protocol, at most `perMinute` a minute
 * (WS_MAX_PROTOCOL_WARNINGS_PER_MIN) one by one; past it, one line at the end of the minute counts
 * the rest. Every line lands in the server session's capped log too: a client breaking the
 * protocol in a loop (anyone can, while reads are open) would otherwise push everything else,
 * start-up lines included, out of it. A fixed window, counted in one place: nothing grows with
 * the number of clients or addresses.
 */
export class ProtocolWarnings {
  private logged = 0;
  private held = 0;
  private lastHeld = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly perMinute: number,
    private readonly warn: (message: string) => void,
  ) {
    this.timer = setInterval(() => this.nextWindow(), WARNING_WINDOW_MS);
    this.timer.unref();
  }

  /** A client `address` broke the protocol: `problem` is what `ws` says of it. */
  report(address: string, problem: string): void {
    const line = `WebSocket client ${address} closed: ${problem}`;
    if (this.logged < this.perMinute) {
      this.logged++;
      this.warn(line);
      return;
    }
    this.held++;
    this.lastHeld = line;
  }

  /** Says how many were held back in the window that ends, and starts the next. */
  private nextWindow(): void {
    if (this.held > 0) {
      this.warn(
        `${this.held} more WebSocket clients broke the protocol in the last minute, not logged one by one past ` +
          `WS_MAX_PROTOCOL_WARNINGS_PER_MIN (${this.perMinute}); the last: ${this.lastHeld}`,
      );
    }
    this.logged = 0;
    this.held = 0;
    this.lastHeld = '';
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
