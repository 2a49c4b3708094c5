import { LogLine } from './log-line';

/**
 * Lines in the server's text format (`<time> <LEVEL> <message>`), optionally tagged with their
 * source; the message as shown (colour codes and controls removed), as one pastes it in a ticket.
 */
export function asText(lines: readonly LogLine[], sourceName: ((id: string) => string) | null): string {
  return lines
    .map((line) => {
      const source = sourceName ? `[${sourceName(line.source)}] ` : '';
      return `${line.entry.time} ${line.entry.level.toUpperCase()} ${source}${line.text.replace(/\n/g, '\\n')}`;
    })
    .join('\n');
}

/** Lines as NDJSON entry objects, as the API's `format=ndjson`; in a merged view each names its session. */
export function asNdjson(lines: readonly LogLine[], withSession: boolean): string {
  return lines
    .map((line) => JSON.stringify(withSession ? { session: line.source, ...line.entry } : line.entry))
    .join('\n');
}

/** What a copy says it copied: `3 lines as text`. */
export function copiedNote(lines: readonly unknown[], how: string): string {
  return `${lines.length} ${lines.length === 1 ? 'line' : 'lines'} ${how}`;
}

/** `+1:02.345` (minutes), `+1:02:03.456` (hours), `+2.345s`. */
export function formatElapsed(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = ((abs % 60_000) / 1000).toFixed(3).padStart(6, '0');
  if (hours > 0) return `${sign}${hours}:${String(minutes).padStart(2, '0')}:${seconds}`;
  if (minutes > 0) return `${sign}${minutes}:${seconds}`;
  return `${sign}${(abs / 1000).toFixed(3)}s`;
}
