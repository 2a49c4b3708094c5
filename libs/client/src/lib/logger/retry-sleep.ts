import { ref, unref } from './timers';

/** The wait between two attempts: one at a time, cut short by `wake()`. */
export class RetrySleep {
  private sleeping: { timer: ReturnType<typeof setTimeout>; wake: () => void } | null = null;

  /** Resolves after `ms`, or at `wake()`; a `background` wait does not keep the process alive. */
  sleep(ms: number, background: boolean): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      if (background) unref(timer);
      this.sleeping = { timer, wake };
    });
  }

  wake(): void {
    this.sleeping?.wake();
  }

  /** Someone waits for the attempt after this wait now: it keeps the process alive. */
  hold(): void {
    if (this.sleeping) ref(this.sleeping.timer);
  }
}
