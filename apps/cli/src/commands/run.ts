import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { ApiError, createSessionLogger, isRetryable, newSessionId, SessionLogger } from '@zen/client';
import type { LogLevel, SessionInput } from '@zen/contract';
import { connection, describe, GlobalOptions, restClient, UsageError, warn } from '../connection';
import { markerLevel } from '../levels';
import { LineSplitter } from '../line-splitter';
import { holder } from '../stream-holder';

interface RunOptions extends GlobalOptions {
  appname?: string;
  mode: string;
  jobid?: string;
  meta?: Record<string, string>;
  id?: string;
  quiet?: boolean;
  levelFromMarkers?: boolean;
  bufferLines: number;
  flushTimeout: number;
}

/** CLI.md: a partial last line is sent after 1 s without a newline. */
const PARTIAL_LINE_MS = 1_000;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
// Frozen: the logger serialises them once.
const STDOUT = Object.freeze({ stream: 'stdout' } as const);
const STDERR = Object.freeze({ stream: 'stderr' } as const);

/**
 * `zen-sessions run -- <command>`: the command runs exactly as it would bare; its output also
 * becomes the session's log. The server can only ever cost a warning, never the outcome.
 */
export async function runCommand([argv]: [string[]], options: RunOptions): Promise<number> {
  const [command, ...args] = argv;
  const { server, token, fetch } = connection(options);
  const id = options.id ?? newSessionId();
  const fields: SessionInput = {
    appname: options.appname ?? basename(command),
    mode: options.mode,
    jobid: options.jobid,
    metadata: {
      ...options.meta,
      command: argv.map(quoteArg).join(' '),
      cwd: process.cwd(),
      host: hostname(),
      pid: process.pid,
    },
  };

  let warned = false;
  const warnOnce = (message: string) => {
    if (!warned) warn(`warning: ${message}; the command runs on`);
    warned = true;
  };
  const created = await createSession(options, id, fields, warnOnce);

  const logger = createSessionLogger({
    server,
    token,
    fetch,
    id,
    appname: fields.appname as string,
    mode: fields.mode ?? undefined,
    jobid: fields.jobid ?? undefined,
    metadata: fields.metadata ?? undefined,
    alreadyOpen: created,
    maxQueue: options.bufferLines,
    // Often: a silent command must not outlive a short SESSIONS_TIMEOUT_S; one tiny request a second.
    heartbeatMs: 1_000,
    flushOnExit: false,
    onWarning: warnOnce,
    onError: (error) => warnOnce(describe(error)),
  });
  warn(`session ${id}`);
  warn(logger.dashboardUrl);

  const outcome = await runChild(command, args, logger, options);

  logger.updateMetadata({ exitCode: outcome.code, signal: outcome.signal });
  // A signal while the last entries are sent stops the wait, not the exit code.
  const giveUp = () => process.exit(outcome.exitCode);
  for (const signal of FORWARDED_SIGNALS) process.once(signal, giveUp);
  try {
    await logger.close(options.flushTimeout * 1000);
  } catch (error) {
    warnOnce(describe(error));
  }
  for (const signal of FORWARDED_SIGNALS) process.off(signal, giveUp);
  return outcome.exitCode;
}

/** Creates the session (or continues an active one) before the command starts; `false` when the server is away. */
async function createSession(
  options: RunOptions,
  id: string,
  fields: SessionInput,
  warnOnce: (message: string) => void,
): Promise<boolean> {
  const client = restClient(options);
  try {
    if (options.id) {
      const existing = await client.sessions.get(id).catch((error) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      });
      if (existing?.status === 'ended') throw new UsageError(`session ${id} has ended; a new session needs a new id`);
    }
    await client.sessions.upsert(id, fields);
    return true;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof ApiError && error.status === 409) {
      throw new UsageError(`session ${id} has ended; a new session needs a new id`);
    }
    if (!isRetryable(error)) throw error;
    warnOnce(describe(error));
    return false;
  }
}

interface Outcome {
  code: number | null;
  signal: string | null;
  exitCode: number;
}

function runChild(command: string, args: string[], logger: SessionLogger, options: RunOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'] });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);

    const markers = options.levelFromMarkers !== false;
    const feed = (stream: Readable, echo: Writable, base: LogLevel, data: typeof STDOUT | typeof STDERR) => {
      const hold = holder(stream);
      const lines = new LineSplitter(
        (line) => logger.log((markers && markerLevel(line)) || base, line, data),
        PARTIAL_LINE_MS,
        () => hold.heldWithin(PARTIAL_LINE_MS),
      );
      stream.on('data', (chunk: Buffer) => {
        // Echo first and as it arrives; a slow terminal slows the command, as it would bare.
        if (!options.quiet && !echo.write(chunk)) hold(new Promise((drained) => echo.once('drain', drained)));
        lines.write(chunk);
        // A server slower than the output slows the command too (as a slow `| tee` would), rather
        // than dropping lines; a server that cannot be reached never does (see `backlogged`).
        if (logger.backlogged) hold(logger.drained());
      });
      stream.on('end', () => lines.end());
    };
    // A closed terminal or pipe (`| head`) stops the echo, never the command or its log.
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);
    feed(child.stdout, process.stdout, 'info', STDOUT);
    feed(child.stderr, process.stderr, 'warn', STDERR);

    let failedToStart = false;
    child.on('error', (error: NodeJS.ErrnoException) => {
      failedToStart = true;
      warn(`cannot run ${command}: ${error.code === 'ENOENT' ? 'command not found' : error.message}`);
      logger.error(`cannot run ${command}: ${error.message}`);
    });
    child.on('close', (code, signal) => {
      for (const each of FORWARDED_SIGNALS) process.off(each, forward);
      if (failedToStart) return resolve({ code: 127, signal: null, exitCode: 127 });
      const signalNumber = signal ? (constants.signals as Record<string, number>)[signal] : 0;
      resolve({ code, signal, exitCode: code ?? 128 + signalNumber });
    });
  });
}

/** The command line as a shell would read it back. */
function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
