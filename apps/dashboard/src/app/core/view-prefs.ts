import { Injectable, signal, WritableSignal } from '@angular/core';

const PREFIX = 'zen-sessions.';

/** The sessions table's sort: a column (as its `matColumnDef`) and a direction ('' unsorted). */
export interface TableSort {
  column: string;
  direction: 'asc' | 'desc' | '';
}

/**
 * The user's view preferences that outlive a reload (the split's height, wrapping,
 * relative times, the sessions table's sort, page size and quick filter), kept in localStorage. A browser that refuses storage keeps them
 * for the page's life only.
 */
@Injectable({ providedIn: 'root' })
export class ViewPrefs {
  /** Height of the sessions table pane in px; null until the user drags the split. */
  readonly tableHeight = this.stored<number | null>('tableHeight', null);
  readonly wrap = this.stored('wrap', false);
  readonly relativeTimes = this.stored('relativeTimes', false);
  readonly tableSort = this.stored<TableSort>('tableSort', { column: 'created', direction: 'desc' });
  readonly tablePageSize = this.stored('tablePageSize', 10);
  /** The sessions table's quick filter (its text, '' for none). */
  readonly tableFilter = this.stored('tableFilter', '');

  private stored<T>(key: string, fallback: T): WritableSignal<T> {
    const value = signal<T>(read(PREFIX + key, fallback));
    const set = value.set.bind(value);
    value.set = (next: T) => {
      set(next);
      write(PREFIX + key, next);
    };
    value.update = (fn: (current: T) => T) => value.set(fn(value()));
    return value;
  }
}

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or refused: the preference lasts for this page only.
  }
}
