import { containsTextPattern, LOG_LEVELS, LogEntry, LogLevel } from '@zen/contract';

/** One entry as the server's `text` format writes it: `<time> <LEVEL> <message>`, line breaks as `\n`. */
export function formatTextLine(entry: LogEntry): string {
  return `${entry.time} ${entry.level.toUpperCase()} ${entry.message.replace(/\r\n|\n|\r/g, '\\n')}`;
}

/**
 * The server's filters, applied to entries pushed over the WebSocket (which has none). `q` is
 * matched with the contract's own `containsTextPattern`, as the server matches it, so a follower
 * keeps exactly what `GET …/log?q=` returns (Unicode case folding: final sigma, ſ, the Kelvin sign).
 */
export function entryFilter(level?: LogLevel, q?: string): (entry: LogEntry) => boolean {
  const minimum = level ? LOG_LEVELS.indexOf(level) : 0;
  const pattern = q ? containsTextPattern(q) : null;
  return (entry) => LOG_LEVELS.indexOf(entry.level) >= minimum && (!pattern || pattern.test(entry.message));
}
