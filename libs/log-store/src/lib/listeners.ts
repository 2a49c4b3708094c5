import { Unsubscribe } from './log-store';

/**
 * Listeners of a change feed, called with up to two arguments. Emitting walks a plain
 * array with fixed arguments (no allocation on the append path); a listener that
 * throws is reported on its own and does not stop the others. Adding one function twice
 * gives two subscriptions: each unsubscribe takes away one.
 */
export class Listeners<A, B = undefined> {
  private list: ((a: A, b: B) => void)[] = [];

  get size(): number {
    return this.list.length;
  }

  add(listener: (a: A, b: B) => void): Unsubscribe {
    this.list = [...this.list, listener];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const at = this.list.indexOf(listener);
      this.list = [...this.list.slice(0, at), ...this.list.slice(at + 1)];
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
