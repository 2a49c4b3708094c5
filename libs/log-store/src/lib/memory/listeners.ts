import { Unsubscribe } from '../log-store';

/**
 * Listeners of a change feed, called with up to two arguments. Emitting walks a plain
 * array with fixed arguments (no allocation on the append path); a listener that
 * throws is reported on its own and does not stop the others.
 */
export class Listeners<A, B = undefined> {
  private list: ((a: A, b: B) => void)[] = [];

  get size(): number {
    return this.list.length;
  }

  add(listener: (a: A, b: B) => void): Unsubscribe {
    this.list = [...this.list, listener];
    return () => {
      this.list = this.list.filter((other) => other !== listener);
    };
  }

  emit(a: A, b: B): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i](a, b);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
