import type { Session, SessionListStatus } from '@zen/contract';
import { GlobalOptions, restClient } from '../connection';

interface LsOptions extends GlobalOptions {
  status: SessionListStatus;
  json?: boolean;
}

const COLUMNS: [string, (session: Session) => string][] = [
  ['ID', (s) => s.id],
  ['APP', (s) => s.appname],
  ['MODE', (s) => s.mode || '-'],
  ['JOB', (s) => s.jobid ?? '-'],
  ['CREATED', (s) => s.created],
  ['LAST SEEN', (s) => s.updated],
  ['ENTRIES', (s) => String(s.logCursor)],
  ['WARNINGS', (s) => String(s.warnCount)],
  ['ERRORS', (s) => String(s.errorCount)],
];

/** `zen-sessions ls`: a table of sessions, newest first (the server's order), or `--json`. */
export async function lsCommand(_args: [], options: LsOptions): Promise<number> {
  const { sessions } = await restClient(options).sessions.list(options.status);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(table(sessions));
  return 0;
}

function table(sessions: Session[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...sessions.map((s) => COLUMNS.map(([, cell]) => oneLine(cell(s))))];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map(
      (row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}
