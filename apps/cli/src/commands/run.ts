import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  ApiError,
  createSessionLogger,
  isRetryable,
  newSessionId,
  sessionInputOf,
  splitUtf8,
  utf8Length,
} from '@zen/client';
import type { LogData, LogLevel, SessionInput, SessionMetadata } from '@zen/contract';
import { connection, describe, GlobalOptions, restClient, UsageError, warn } from '../connection';
import { ByteMarkers } from '../levels';
import { LineSplitter } from '../line-splitter';
import { exitCodeOfSignal } from '../signal-exit';
import { outputReaders } from '../child-output';
import { holder, StreamHolder } from '../stream-holder';

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
/** How long the command waits for its session to be created before it starts anyway. */
const SESSION_WAIT_MS = 5_000;
// Frozen: the logger serialises them once.
const STDOUT = Object.freeze({ stream: 'stdout' } as const);
const STDERR = Object.freeze({ stream: 'stderr' } as const);

/**
 * `zen-sessions run -- <command>`: the command runs exactly as it would bare; its output also
 * becomes the session's log. The server can only ever cost a warning, never the outcome.
 */
export async function runCommand(
  [argv]: [string[]],
  options: RunOptions,
  given: (option: string) => boolean,
): Promise<number> {
  const [command, ...args] = argv;
  const { server, token, fetch, timeoutMs } = connection(options);
  const id = options.id ?? newSessionId();
  const fields: SessionInput = {
    appname: options.appname ?? basename(command),
    mode: options.mode,
    jobid: options.jobid,
    metadata: {
      ...options.meta,
      command: commandLine(argv),
      cwd: workingDirectory(),
      host: hostname(),
      pid: process.pid,
    },
  };

  // A closed terminal or pipe must not crash the wrapper (see echoTo).
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  let warned = false;
  const warnOnce = (message: string) => {
    if (!warned) warn(`warning: ${message}; the command runs on`);
    warned = true;
  };
  let commandEnded = false;
  // The session refused for good after the start (an ended --id once a server away at the start
  // answers, a session expired meanwhile): its own line, even after an outage's warning, since
  // nothing more reaches the session.
  let refusal: Error | null = null;
  const sessionRefused = (error: Error, opened: boolean) => {
    if (refusal) return;
    refusal = error;
    const what = opened ? 'was refused' : 'could not be opened';
    const runsOn = commandEnded ? '' : '; the command runs on';
    warn(`warning: session ${id} ${what}: ${describe(error)}; nothing ${opened ? 'more ' : ''}is sent${runsOn}`);
  };
  const continued = continuation(fields, given);
  const start = await createSession(options, id, fields, continued);
  // A continued session keeps its own fields, should the logger have to create it again.
  const session = start.continued ?? fields;
  if (start.unreachable) warnOnce(describe(start.unreachable));
  // Refused for good (401, 400, ...): asking again would get the same answer, so nothing is sent.
  if (start.refused) warnOnce(`${describe(start.refused)}; nothing is sent`);

  const sink: Sink = start.refused
    ? NOTHING_SENT
    : createSessionLogger({
        server,
        token,
        fetch,
        timeoutMs,
        id,
        appname: session.appname as string,
        mode: session.mode ?? undefined,
        jobid: session.jobid ?? undefined,
        metadata: session.metadata ?? undefined,
        // Unreachable at the start: the logger creates the session when the server answers, or,
        // for an --id that may exist, continues it as above (keeping its appname, mode and jobid).
        alreadyOpen: !start.unreachable,
        whenExists: options.id ? continued : undefined,
        maxQueue: options.bufferLines,
        // Often: a silent command must not outlive a short SESSIONS_TIMEOUT_S; one tiny request a second.
        heartbeatMs: 1_000,
        flushOnExit: false,
        onWarning: warnOnce,
        onError: (error, { stopped, opened }) => (stopped ? sessionRefused(error, opened) : warnOnce(describe(error))),
      });
  if (sink !== NOTHING_SENT) {
    warn(`session ${id}`);
    warn(sink.dashboardUrl);
  }

  const outcome = await runChild(command, args, sink, options);
  commandEnded = true;

  sink.updateMetadata({ exitCode: outcome.code, signal: outcome.signal });
  // A signal while the last entries are sent stops the wait, not the exit code.
  const giveUp = () => process.exit(outcome.exitCode);
  for (const signal of FORWARDED_SIGNALS) process.once(signal, giveUp);
  try {
    await sink.close(options.flushTimeout * 1000);
  } catch (error) {
    if (error !== refusal) warnOnce(describe(error));
    // A request still waiting for a stuck server must not keep the wrapper up past --flush-timeout.
    exitWhenEchoed(outcome.exitCode);
  }
  for (const signal of FORWARDED_SIGNALS) process.off(signal, giveUp);
  return outcome.exitCode;
}

/** Where the command's lines go: the session's logger, or nowhere when the server refused the session. */
interface Sink {
  readonly dashboardUrl: string;
  readonly backlogged: boolean;
  appendBytes(level: LogLevel, bytes: Buffer, start: number, end: number, data?: LogData, time?: string): void;
  error(message: string): void;
  drained(): Promise<void>;
  updateMetadata(metadata: SessionMetadata): void;
  close(timeoutMs: number): Promise<void>;
}

const NOTHING_SENT: Sink = {
  dashboardUrl: '',
  backlogged: false,
  appendBytes: () => undefined,
  error: () => undefined,
  drained: () => Promise.resolve(),
  updateMetadata: () => undefined,
  close: () => Promise.resolve(),
};

/** Exits with `code` once what was written to stdout and stderr has been handed over. */
function exitWhenEchoed(code: number): void {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/**
 * What continuing an active session sends: only the fields given on the command line replace its
 * own (the defaults, `run` and the command's base name, are for a new session); metadata merges.
 */
function continuation(fields: SessionInput, given: (option: string) => boolean): SessionInput {
  return {
    appname: given('appname') ? fields.appname : undefined,
    mode: given('mode') ? fields.mode : undefined,
    jobid: given('jobid') ? fields.jobid : undefined,
    metadata: fields.metadata,
  };
}

/**
 * Creates the session (`fields`) or continues an active one (`continued`) before the command
 * starts, waiting at most SESSION_WAIT_MS; when the server cannot be reached (the logger tries
 * again) or refuses, says so. An `--id` that cannot be continued (ended, or the server's own
 * session) is a usage error.
 */
async function createSession(
  options: RunOptions,
  id: string,
  fields: SessionInput,
  continued: SessionInput,
): Promise<SessionStart> {
  const deadline = Date.now() + SESSION_WAIT_MS;
  const client = () => restClient(options, Math.max(1_000, deadline - Date.now()));
  try {
    if (options.id) {
      const existing = await client()
        .sessions.get(id)
        .catch((error) => {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        });
      if (existing?.status === 'ended') throw new UsageError(`session ${id} has ended; a new session needs a new id`);
      if (existing) {
        return { continued: sessionInputOf(await client().sessions.upsert(id, continued)) };
      }
    }
    await client().sessions.upsert(id, fields);
    return {};
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof ApiError && error.status === 409) {
      throw new UsageError(`session ${id} has ended; a new session needs a new id`);
    }
    if (options.id && error instanceof ApiError && error.status === 403) {
      throw new UsageError(`session ${id} is the server's own session; clients cannot append to it`);
    }
    return isRetryable(error) ? { unreachable: error as Error } : { refused: error as Error };
  }
}

/** Created (no field), continued (the session's fields after the update), or why not. */
interface SessionStart {
  continued?: SessionInput;
  unreachable?: Error;
  refused?: Error;
}

interface Outcome {
  code: number | null;
  signal: string | null;
  exitCode: number;
}

async function runChild(command: string, args: string[], sink: Sink, options: RunOptions): Promise<Outcome> {
  const markers = options.levelFromMarkers !== false;
  /**
   * One output stream's reader: its chunks, echoed and split into entries; `follow` takes the
   * stream once the command is spawned, to pause it while the echo or the server falls behind.
   */
  const reader = (echo: Echo, base: LogLevel, data: typeof STDOUT | typeof STDERR) => {
    let hold: StreamHolder | undefined;
    // The lines of one chunk arrived together: one clock reading for all of them. Kept after the
    // chunk: a partial line handed over later (1 s without a newline, or at the end) was read
    // with the stream's last chunk, and carries its time, not the time of the handing over.
    let arrived: string | undefined;
    const levels = new ByteMarkers();
    const lines = new LineSplitter(
      (bytes, start, end) =>
        sink.appendBytes((markers && levels.levelOf(bytes, start, end)) || base, bytes, start, end, data, arrived),
      PARTIAL_LINE_MS,
      () => hold?.heldWithin(PARTIAL_LINE_MS) ?? false,
    );
    const onChunk = (chunk: Buffer) => {
      // Echo first and as it arrives; a slow terminal slows the command, as it would bare. A copy:
      // the read buffer is reused, and a write the terminal does not take at once is queued as is.
      if (!options.quiet) {
        const drained = echo.write(Buffer.from(chunk));
        if (drained) hold?.(drained);
      }
      arrived = new Date().toISOString();
      lines.write(chunk);
      // A server slower than the output slows the command too (as a slow `| tee` would), rather
      // than dropping lines. One that cannot be reached, or does not answer within the request
      // timeout, never does: the logger is then failing, and not backlogged.
      if (sink.backlogged) hold?.(sink.drained());
    };
    const follow = (stream: Readable) => {
      hold = holder(stream);
      stream.on('end', () => lines.end());
    };
    return { onChunk, follow };
  };
  const out = reader(echoTo(process.stdout), 'info', STDOUT);
  const err = reader(echoTo(process.stderr), 'warn', STDERR);
  const readers = await outputReaders(out.onChunk, err.onChunk);

  return new Promise((resolve) => {
    // As a shell answers: 127 for a command not found, 126 for one found but not executable.
    const name = command || "''";
    const cannotRun = (code: 126 | 127, why: string, detail = why) => {
      warn(`cannot run ${name}: ${why}`);
      sink.error(`cannot run ${name}: ${detail}`);
      return code;
    };
    let spawned: ReturnType<typeof readers.spawn>;
    try {
      spawned = readers.spawn(command, args);
    } catch (error) {
      // Refused before any process exists (an empty command, as `run -- "$UNSET"` gives): no
      // 'error' event comes, and the session must still get its exit code and end.
      const code = cannotRun(127, command === '' ? 'command not found' : describe(error), describe(error));
      return resolve({ code, signal: null, exitCode: code });
    }
    const { child, stdout, stderr, closed } = spawned;
    out.follow(stdout);
    err.follow(stderr);
    const forward = (signal: NodeJS.Signals) => {
      if (sentByTerminal(signal)) return; // the child got it from the terminal too
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);

    let failedToStart: number | null = null;
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'command not found' : error.message;
      failedToStart = cannotRun(error.code === 'EACCES' ? 126 : 127, why, error.message);
    });
    void closed.then(({ code, signal }) => {
      for (const each of FORWARDED_SIGNALS) process.off(each, forward);
      if (failedToStart !== null) return resolve({ code: failedToStart, signal: null, exitCode: failedToStart });
      resolve({ code, signal, exitCode: code ?? exitCodeOfSignal(signal) });
    });
  });
}

/** The wrapper's stdout or stderr, as the command's echo goes to it. */
interface Echo {
  /** Writes the chunk; a promise when the stream is full (resolved on 'drain', or when the stream broke). */
  write(chunk: Buffer): Promise<void> | null;
}

/**
 * A closed terminal or pipe (`| head`) stops the echo, never the command or its log: after an
 * error (EPIPE) nothing more is written there, and a wait for 'drain' (which never comes) ends.
 */
function echoTo(stream: Writable): Echo {
  let broken = false;
  const waiting = new Set<() => void>();
  const breaks = () => {
    broken = true;
    for (const release of [...waiting]) release();
  };
  stream.on('error', breaks);
  stream.on('close', breaks);
  return {
    write(chunk) {
      if (broken || stream.write(chunk)) return null;
      return new Promise<void>((resolve) => {
        const release = () => {
          waiting.delete(release);
          stream.off('drain', release);
          resolve();
        };
        waiting.add(release);
        stream.once('drain', release);
      });
    },
  };
}

/**
 * Whether `signal` reached the command already: Ctrl-C (SIGINT) at a terminal goes to its whole
 * foreground process group, the command included, so passing it on would deliver it twice.
 * Other signals, and SIGINT to a wrapper outside a terminal's foreground (a build agent's
 * `kill -INT <pid>`), are passed on.
 */
function sentByTerminal(signal: NodeJS.Signals): boolean {
  if (signal !== 'SIGINT' && signal !== 'SIGQUIT') return false;
  if (process.platform !== 'linux') return false;
  try {
    return inTerminalForeground(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * From `/proc/<pid>/stat`: whether the process is in its controlling terminal's foreground
 * process group. After the `) ` that closes the command's name (which may hold spaces and
 * parentheses) come state, ppid, pgrp, session, tty_nr and tpgid.
 */
export function inTerminalForeground(stat: string): boolean {
  const close = stat.lastIndexOf(') ');
  if (close === -1) return false;
  const [, , pgrp, , ttyNr, tpgid] = stat
    .slice(close + 2)
    .split(' ')
    .map(Number);
  return ttyNr > 0 && tpgid > 0 && pgrp === tpgid;
}

/**
 * The directory the command runs in. One removed meanwhile (a step inside a checkout that an
 * earlier step deleted) has no path to read, yet the command runs there, as from a shell: the
 * metadata then has the shell's `$PWD`, or null.
 */
function workingDirectory(): string | null {
  try {
    return process.cwd();
  } catch {
    return process.env['PWD'] || null;
  }
}

/**
 * The longest command line kept in the metadata, in UTF-8 bytes. A longer one (a compiler given
 * thousands of files, an inline script) would take the metadata past the server's
 * MAX_METADATA_BYTES (64 KiB by default), and a refused session loses the whole log.
 */
const COMMAND_MAX_BYTES = 8 * 1024;

/** The command line for the metadata: whole, or its start and how much was left out. */
function commandLine(argv: string[]): string {
  const line = argv.map(quoteArg).join(' ');
  const bytes = utf8Length(line);
  if (bytes <= COMMAND_MAX_BYTES) return line;
  // Room for the note, whose count has at most 7 digits (a command line is at most a few MB).
  const kept = splitUtf8(line, COMMAND_MAX_BYTES - 32)[0];
  return `${kept}… (${bytes - utf8Length(kept)} bytes more)`;
}

/** The command line as a shell would read it back. */
function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
