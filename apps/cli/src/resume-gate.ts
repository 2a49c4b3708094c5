/** Whether the session is still the one followed: yes, no, or unknown for now (the server did not answer). */
export type SameSession = () => Promise<boolean | null>;

/** How long to wait before asking again when the server did not answer. */
const RECHECK_MS = 1_000;

/**
 * What a follow receives, held after each reconnect until the session is known to be the one
 * followed. A server without a store that restarted may have a session under the same id again,
 * created anew by its producer (`run` does so): its log starts over at seq 0, so resuming from
 * the cursor would print its later entries and skip its first ones in silence.
 */
export class ResumeGate {
  /** What arrived since the reconnect, in order; null while it passes straight through. */
  private held: (() => void)[] | null = null;
  private checks = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly same: SameSession,
    private readonly replaced: () => void,
  ) {}

  /** The connection is open again: hold what comes until the session is checked. */
  reconnected(): void {
    this.held ??= [];
    this.check();
  }

  /** Runs `deliver` now, or once the session is checked. */
  pass(deliver: () => void): void {
    if (this.held) this.held.push(deliver);
    else deliver();
  }

  stop(): void {
    this.checks++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private check(): void {
    this.stop();
    const check = this.checks;
    void this.same().then((same) => {
      if (check !== this.checks) return; // a later reconnect, or stopped
      if (same === false) return this.replaced();
      if (same === null) {
        this.timer = setTimeout(() => this.check(), RECHECK_MS);
        return;
      }
      const held = this.held ?? [];
      this.held = null;
      for (const deliver of held) deliver();
    });
  }
}
