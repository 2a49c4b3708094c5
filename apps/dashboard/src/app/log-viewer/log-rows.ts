import { LOG_LEVELS, LogEntry, LogLevel } from '@zen/contract';

/** A row of the viewer: an entry, or a gap where the server evicted entries before we read them. */
export type LogRow = { kind: 'entry'; entry: LogEntry } | { kind: 'gap'; dropped: number; before: number };

export interface LogFilterState {
  /** Minimum level shown. */
  level: LogLevel;
  text: string;
  regex: boolean;
}

/**
 * The matcher for the text filter: plain text case-insensitively, or a regular
 * expression. Null means "no text filter"; an invalid regex is reported, not thrown.
 */
export function textMatcher(filter: LogFilterState): { pattern: RegExp | null; error: string | null } {
  if (!filter.text) return { pattern: null, error: null };
  const source = filter.regex ? filter.text : filter.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    return { pattern: new RegExp(source, 'gi'), error: null };
  } catch (error) {
    return { pattern: null, error: (error as Error).message };
  }
}

/** Rows passing the filter; gap rows always stay, so losses remain visible. */
export function filterRows(rows: readonly LogRow[], filter: LogFilterState, pattern: RegExp | null): LogRow[] {
  const minLevel = LOG_LEVELS.indexOf(filter.level);
  if (minLevel === 0 && !pattern) return rows as LogRow[];
  return rows.filter((row) => {
    if (row.kind === 'gap') return true;
    if (LOG_LEVELS.indexOf(row.entry.level) < minLevel) return false;
    if (!pattern) return true;
    pattern.lastIndex = 0;
    return pattern.test(row.entry.message);
  });
}

/** A message cut into plain and matching parts, for highlighting without HTML. */
export function highlight(message: string, pattern: RegExp | null): { text: string; match: boolean }[] {
  if (!pattern) return [{ text: message, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (const found of message.matchAll(pattern)) {
    if (found[0] === '') continue;
    const start = found.index ?? 0;
    if (start > last) parts.push({ text: message.slice(last, start), match: false });
    parts.push({ text: found[0], match: true });
    last = start + found[0].length;
  }
  if (last < message.length) parts.push({ text: message.slice(last), match: false });
  return parts;
}
