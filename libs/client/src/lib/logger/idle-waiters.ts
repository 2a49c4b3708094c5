/** Callers of `flush()`/`close()`, waiting until the logger has nothing left to send. */
export class IdleWaiters {
  private readonly waiters = new Set<() => void>();

  get waiting(): boolean {
    return this.waiters.size > 0;
  }

  /**
   * Settles at the next `settle()`: rejects with what `outcome()` then names, else resolves; or
   * rejects with `timedOut()` after `timeoutMs`. While it waits the process stays alive, even
   * when every other timer (a retry's) lets it exit: someone waits for the result.
   */
  wait(timeoutMs: number, outcome: () => Error | null, timedOut: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const deadline =
        timeoutMs === Infinity
          ? null
          : setTimeout(() => {
              done();
              reject(timedOut());
            }, timeoutMs);
      const done = () => {
        clearInterval(keepAlive);
        if (deadline) clearTimeout(deadline);
        this.waiters.delete(settled);
      };
      const settled = () => {
        done();
        const error = outcome();
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(settled);
    });
  }

  settle(): void {
    for (const settled of [...this.waiters]) settled();
  }
}
