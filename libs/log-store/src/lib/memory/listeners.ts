import { Unsubscribe } from '../log-store';

/**
 * Listeners of a change feed. Emitting walks a plain array (no allocation on the hot
 * path); a listener that throws is reported and does not stop the others.
 */
export class Listeners<F extends (...args: never[]) => void> {
  private list: F[] = [];

  add(listener: F): Unsubscribe {
    this.list = [...this.list, listener];
    return () => {
      this.list = this.list.filter((other) => other !== listener);
    };
  }

  emit(...args: Parameters<F>): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.list = [];
  }
}
