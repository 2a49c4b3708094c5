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
