import { JsonValue, Session, SessionListStatus } from '@zen/contract';

/** Sessions of one status tab. */
export function byStatus(sessions: readonly Session[], status: SessionListStatus): Session[] {
  return status === 'all' ? [...sessions] : sessions.filter((session) => session.status === status);
}

/** Milliseconds from creation to end (or to `now` while active). */
export function duration(session: Session, now: number): number {
  const end = session.ended ? Date.parse(session.ended) : now;
  return Math.max(0, end - Date.parse(session.created));
}

/** "1h 02m", "3m 05s", "42s". */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** The value a column sorts by. */
export function sortValue(session: Session, column: string, now: number): string | number {
  switch (column) {
    case 'created':
    case 'updated':
      return Date.parse(session[column]);
    case 'ended':
      return session.ended ? Date.parse(session.ended) : Number.MAX_SAFE_INTEGER;
    case 'duration':
      return duration(session, now);
    case 'jobid':
      return session.jobid ?? '';
    case 'appname':
    case 'mode':
    case 'id':
      return session[column].toLowerCase();
    case 'logCount':
    case 'warnCount':
    case 'errorCount':
      return session[column];
    default:
      return '';
  }
}

/** The quick filter: appname, mode, job id and metadata values, case-insensitively. */
export function matchesQuickFilter(session: Session, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  const haystack = [
    session.appname,
    session.mode,
    session.jobid ?? '',
    ...Object.values(session.metadata).map(metadataText),
  ];
  return haystack.some((text) => text.toLowerCase().includes(needle));
}

/** A metadata value as the detail panel shows it and the quick filter matches it: a string as is, else its JSON. */
export function metadataText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The table's sorted rows, kept from one listing to the next. Each listing the live feed brings
 * (one per `sessions-delta`, every 100 ms on a busy server) holds the same objects for the
 * sessions that did not change (the live client replaces only those a delta brings): those keep
 * their order among themselves, so only the changed and new ones are sorted and merged in, where a
 * full sort of 10,000 rows on every delta (two `Date.parse` per comparison) took the page's main
 * thread ~75 % of the time and dropped frames. The result is the stable sort of the listing, as
 * `MatTableDataSource`'s own: equal values keep the listing's order (newest first).
 */
export class SortedSessions {
  private column = '';
  private direction: 'asc' | 'desc' | '' = '';
  /** The last result; empty after a change of column or direction (the next listing is sorted whole). */
  private sorted: readonly Session[] = [];
  /** Each session object's sort value for `column` (a changed session is a new object). */
  private values = new WeakMap<Session, string | number>();

  /** `listing` (the filtered rows, in the listing's order) sorted by `column`; as given when no sort is chosen. */
  sort(listing: readonly Session[], column: string, direction: 'asc' | 'desc' | '', now: number): Session[] {
    if (!column || direction === '') {
      this.sorted = [];
      return [...listing];
    }
    // An active session's duration grows with `now`: that column is sorted whole each time.
    if (column !== this.column || direction !== this.direction || column === 'duration') {
      this.column = column;
      this.direction = direction;
      this.sorted = [];
      this.values = new WeakMap();
    }
    const place = new Map<Session, number>();
    listing.forEach((session, i) => place.set(session, i));
    const values = this.values;
    const value = (session: Session): string | number => {
      let known = values.get(session);
      if (known === undefined) {
        known = sortValue(session, column, now);
        values.set(session, known);
      }
      return known;
    };
    const sign = direction === 'asc' ? 1 : -1;
    const compare = (a: Session, b: Session): number => {
      const va = value(a);
      const vb = value(b);
      const byValue = va > vb ? 1 : va < vb ? -1 : 0;
      return byValue * sign || (place.get(a) ?? 0) - (place.get(b) ?? 0);
    };
    // Unchanged rows in their sorted order; the rest (changed, new, or matching a new filter) sorted alone.
    const kept = this.sorted.filter((session) => place.has(session));
    const keptSet = new Set(kept);
    const fresh = listing.filter((session) => !keptSet.has(session)).sort(compare);
    const merged: Session[] = new Array(kept.length + fresh.length);
    let k = 0;
    let f = 0;
    for (let i = 0; i < merged.length; i++)
      merged[i] = f >= fresh.length || (k < kept.length && compare(kept[k], fresh[f]) <= 0) ? kept[k++] : fresh[f++];
    this.sorted = merged;
    return [...merged];
  }
}

/**
 * The quick filter's verdict on each session object, kept while the filter text stays: a listing
 * of 10,000 sessions re-filtered on every delta matches only the sessions that changed.
 */
export class QuickFilterVerdicts {
  private filter = '';
  private verdicts = new WeakMap<Session, boolean>();

  matches(session: Session, filter: string): boolean {
    if (filter !== this.filter) {
      this.filter = filter;
      this.verdicts = new WeakMap();
    }
    let verdict = this.verdicts.get(session);
    if (verdict === undefined) {
      verdict = matchesQuickFilter(session, filter);
      this.verdicts.set(session, verdict);
    }
    return verdict;
  }
}
