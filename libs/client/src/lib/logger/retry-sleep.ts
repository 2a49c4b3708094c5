import { ref, timerMs, unref } from './timers';

/** The wait between two attempts: one at a time, cut short by `wake()`. */
export class RetrySleep {
  private sleeping: { timer: ReturnType<typeof setTimeout>; endsAt: number; wake: () => void } | null = null;

  /** Resolves after `ms`, or at `wake()`; a `background` wait does not keep the process alive. */
  sleep(ms: number, background: boolean): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(sleeping.timer);
        if (this.sleeping === sleeping) this.sleeping = null;
        resolve();
      };
      const sleeping = { timer: setTimeout(wake, timerMs(ms)), endsAt: Date.now() + ms, wake };
      if (background) unref(sleeping.timer);
      this.sleeping = sleeping;
    });
  }

  wake(): void {
    this.sleeping?.wake();
  }

  /** Someone waits for the attempt after this wait now: it keeps the process alive. */
  hold(): void {
    if (this.sleeping) ref(this.sleeping.timer);
  }

  /**
   * The process is about to exit: the wait keeps it alive, `atMostMs` more at most, then the
   * attempt is made (a wait that would end sooner ends when it would have).
   */
  holdAtMost(atMostMs: number): void {
    const sleeping = this.sleeping;
    if (!sleeping) return;
    if (sleeping.endsAt - Date.now() > atMostMs) {
      clearTimeout(sleeping.timer);
      sleeping.timer = setTimeout(sleeping.wake, atMostMs);
      sleeping.endsAt = Date.now() + atMostMs;
    }
    ref(sleeping.timer);
  }
}
