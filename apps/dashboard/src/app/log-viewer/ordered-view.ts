/**
 * An array shown in its own order or the other way round, without a reversed copy: index
 * `i` as shown is item `i`, or item `length - 1 - i` when reversed. The log viewer's rows are
 * kept oldest first and, newest first, read from the end: following a large log, each frame
 * then costs what the new rows and the rendered window cost, not a copy of every row.
 * Read-only, like the array it views (which is never changed after it is made).
 */
export class OrderedView<T> {
  constructor(
    /** The items in their own order (for the log: oldest first). */
    readonly items: readonly T[],
    readonly reversed: boolean,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /**
   * Index `index` as shown in `items`, and the other way (the mapping is its own inverse);
   * -1 stays -1, so a search's "not found" maps through.
   */
  itemIndex(index: number): number {
    return this.reversed && index !== -1 ? this.items.length - 1 - index : index;
  }

  /** The item shown at `index`; undefined outside `[0, length)` (a negative index does not count from the end). */
  at(index: number): T | undefined {
    return index >= 0 && index < this.items.length ? this.items[this.itemIndex(index)] : undefined;
  }

  /** The items shown from `start` up to (not including) `end`, in the order shown: the rendered window, a selection. */
  slice(start = 0, end = this.items.length): T[] {
    const from = Math.max(0, start);
    const to = Math.min(this.items.length, end);
    const shown: T[] = [];
    for (let i = from; i < to; i++) shown.push(this.items[this.itemIndex(i)]);
    return shown;
  }

  /** The first index, as shown, of an item passing `test`, or -1. */
  findIndex(test: (item: T) => boolean): number {
    const items = this.items;
    if (!this.reversed) return items.findIndex((item) => test(item));
    for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return this.itemIndex(i);
    return -1;
  }
}
