import { timerMs } from './timers';

/**
 * Callers of `flush()`/`close()`, waiting until the logger has nothing left to send, or (a
 * `flush()`) until what was logged before the call is sent.
 */
export class IdleWaiters {
  /** Each waiter's settle, and when given, whether it may resolve already (its entries are sent). */
  private readonly waiters = new Map<(done: boolean) => void, (() => boolean) | null>();

  get waiting(): boolean {
    return this.waiters.size > 0;
  }

  /**
   * Settles at the next `settle()`: rejects with what `outcome()` then names, else resolves; or
   * rejects with `timedOut()` after `timeoutMs`. While it waits the process stays alive, even
   * when every other timer (a retry's) lets it exit: someone waits for the result.
   */
  wait(
    timeoutMs: number,
    outcome: () => Error | null,
    timedOut: () => Error,
    reached: (() => boolean) | null = null,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const deadline =
        timeoutMs === Infinity
          ? null
          : setTimeout(() => {
              done();
              reject(timedOut());
            }, timerMs(timeoutMs));
      const done = () => {
        clearInterval(keepAlive);
        if (deadline) clearTimeout(deadline);
        this.waiters.delete(settled);
      };
      const settled = (sent: boolean) => {
        done();
        const error = sent ? null : outcome();
        if (error) reject(error);
        else resolve();
      };
      this.waiters.set(settled, reached);
    });
  }

  settle(): void {
    for (const settled of [...this.waiters.keys()]) settled(false);
  }

  /** Resolves the waiters whose `reached` says what they wait for is sent (more may be queued behind it). */
  settleReached(): void {
    for (const [settled, reached] of [...this.waiters]) if (reached?.()) settled(true);
  }
}
