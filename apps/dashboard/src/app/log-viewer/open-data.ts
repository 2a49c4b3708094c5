import { signal } from '@angular/core';
import { LogLine } from './log-line';

/** The rows whose data tree is open, by key, with the tree's line count (which the layout gives them). */
export class OpenData {
  readonly lines = signal<ReadonlyMap<string, number>>(new Map());

  toggle(row: LogLine): void {
    this.lines.update((map) => {
      const next = new Map(map);
      if (!next.delete(row.key)) next.set(row.key, 1);
      return next;
    });
  }

  /** A tree of an open row was laid out (or opened or closed a node): `lines` tall now. */
  setLines(key: string, lines: number): void {
    if (this.lines().get(key) === lines || !this.lines().has(key)) return;
    this.lines.update((map) => new Map(map).set(key, lines));
  }

  closeAll(): void {
    this.lines.set(new Map());
  }
}
