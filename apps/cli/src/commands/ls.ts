import type { Session, SessionListStatus } from '@zen/contract';
import { GlobalOptions, restClient } from '../connection';
import { endWhenStdoutCloses } from '../stdout';
import { displayWidth, padToWidth, terminalSafe } from '../terminal-text';

interface LsOptions extends GlobalOptions {
  status: SessionListStatus;
  json?: boolean;
}

// An empty cell would shift the columns after it for whatever reads the table by position.
const COLUMNS: [string, (session: Session) => string][] = [
  ['ID', (s) => s.id],
  ['APP', (s) => s.appname],
  ['MODE', (s) => s.mode || '-'],
  ['JOB', (s) => s.jobid || '-'],
  ['CREATED', (s) => s.created],
  ['LAST SEEN', (s) => s.updated],
  ['ENTRIES', (s) => String(s.logCursor)],
  ['WARNINGS', (s) => String(s.warnCount)],
  ['ERRORS', (s) => String(s.errorCount)],
];

/** `zen-sessions ls`: a table of sessions, newest first (the server's order), or `--json`. */
export async function lsCommand(_args: [], options: LsOptions): Promise<number> {
  endWhenStdoutCloses();
  const { sessions } = await restClient(options).sessions.list(options.status);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(table(sessions));
  return 0;
}

function table(sessions: Session[]): string {
  // Cells are client-supplied text: no control character reaches the terminal, and columns are
  // padded by what the terminal draws (a wide character or an emoji takes two columns).
  const rows = [
    COLUMNS.map(([title]) => title),
    ...sessions.map((s) => COLUMNS.map(([, cell]) => terminalSafe(cell(s)))),
  ];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => displayWidth(row[column]))));
  return rows
    .map(
      (row) =>
        row
          .map((cell, column) => padToWidth(cell, widths[column]))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}
