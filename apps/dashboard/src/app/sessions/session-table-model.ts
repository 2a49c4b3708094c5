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
