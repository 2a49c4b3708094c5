import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createSessionLogger, newSessionId, type SessionLogger, type SessionLoggerOptions } from '@zen/client';
import type { LogLevel, SessionInput } from '@zen/contract';
import { Connection, connection, HEARTBEAT_MS } from '../connection';
import { describe, warn } from '../reporting';
import { Echo, echoTo, endBySignalWhenEchoed, exitWhenEchoed } from '../echo';
import { ByteMarkers } from '../levels';
import { LineSplitter } from '../line-splitter';
import { notExecutableReason, notFoundReason } from '../start-failure';
import { exitCodeOfSignal } from '../signal-exit';
import { outputReaders, SpawnedCommand } from '../child-output';
import { holder, StreamHolder } from '../stream-holder';
import { sentByTerminal } from '../terminal-signals';
import { continuation, createSession, RunSessionOptions, runSessionFields, SessionStart } from './run-session';

interface RunOptions extends RunSessionOptions {
  quiet?: boolean;
  levelFromMarkers?: boolean;
  bufferLines: number;
  flushTimeout: number;
}

/** CLI.md: a partial last line is sent after 1 s without a newline. */
const PARTIAL_LINE_MS = 1_000;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/**
 * A signal after the command exited ends the wait for its output once none was read for this
 * long (what it wrote just before exiting may still be in the pipes)...
 */
const AFTER_EXIT_QUIET_MS = 100;
/** ...or after this long, should output keep flowing (a second signal ends it at once). */
const AFTER_EXIT_MAX_MS = 2_000;
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
  // A --server or --token that cannot be used is a usage error before anything starts.
  const server = connection(options);
  const id = options.id ?? newSessionId();
  const fields = runSessionFields(argv, options);

  // A closed terminal or pipe must not crash the wrapper (see echoTo).
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const warnings = new RunWarnings(id);
  // From the start: a signal while the session is being created (a slow server) must not kill
  // the wrapper and leave its session active for good.
  // A second one ends the wrapper at once, as a second signal ends the wait for the last entries.
  const early = new EarlySignals((again) => {
    const first = early.signal as NodeJS.Signals;
    warn(`${again} came again before ${command || "''"} started: it was not run, and session ${id} was not ended`);
    process.exit(exitCodeOfSignal(first));
  });
  const sink = await openSession(server, options, id, fields, given, warnings);
  const outcome = early.signal ? notStarted(command, early, sink) : await runChild(command, args, sink, options, early);
  warnings.commandEnded = true;
  return endSession(sink, outcome, options, warnings);
}

/**
 * What `run` says about its session on stderr: the first trouble in one line and later ones not
 * at all, and a refusal for good after the start in a line of its own.
 */
class RunWarnings {
  private warned = false;
  /** Once the command has ended (the last entries wait for the server), there is nothing to run on. */
  commandEnded = false;
  /** The refusal for good after the start, once told: the logger's close rejects with it again, not to be told twice. */
  refusal: Error | null = null;

  constructor(private readonly id: string) {}

  /** The first warning only. */
  readonly once = (message: string): void => {
    if (!this.warned) warn(`warning: ${message}${this.runsOn()}`);
    this.warned = true;
  };

  /**
   * The session refused for good after the start (an ended --id once a server away at the start
   * answers, a session expired meanwhile): its own line, even after an outage's warning, since
   * nothing more reaches the session.
   */
  sessionRefused(error: Error, opened: boolean): void {
    if (this.refusal) return;
    this.refusal = error;
    const what = opened ? 'was refused' : 'could not be opened';
    warn(
      `warning: session ${this.id} ${what}: ${describe(error)}; nothing ${opened ? 'more ' : ''}is sent${this.runsOn()}`,
    );
  }

  private runsOn(): string {
    return this.commandEnded ? '' : '; the command runs on';
  }
}

/**
 * Creates or continues the session, and the sink that feeds it; says which session and where the
 * dashboard shows it, or why nothing is sent.
 */
async function openSession(
  server: Connection,
  options: RunOptions,
  id: string,
  fields: SessionInput,
  given: (option: string) => boolean,
  warnings: RunWarnings,
): Promise<Sink> {
  const continued = continuation(fields, given);
  const start = await createSession(options, id, fields, continued);
  // A continued session keeps its own fields, should the logger have to create it again.
  const session = start.continued ?? fields;
  if (start.unreachable) warnings.once(describe(start.unreachable));
  // Refused for good (401, 400, ...): asking again would get the same answer, so nothing is sent.
  if (start.refused) {
    warnings.once(`${describe(start.refused)}; nothing is sent`);
    return NOTHING_SENT;
  }
  const sink = sessionLogger(server, options, id, session, start, continued, {
    onWarning: warnings.once,
    onError: (error, { stopped, opened }) =>
      stopped ? warnings.sessionRefused(error, opened) : warnings.once(describe(error)),
  });
  warn(`session ${id}`);
  warn(sink.dashboardUrl);
  return sink;
}

/** Gives the session the command's outcome and its last entries (up to --flush-timeout); the run's exit code. */
async function endSession(sink: Sink, outcome: Outcome, options: RunOptions, warnings: RunWarnings): Promise<number> {
  sink.updateMetadata({ exitCode: outcome.code, signal: outcome.signal });
  // A signal while the last entries are sent stops the wait, not the exit code. Kept until the
  // wrapper has exited (never removed: without a handler, a signal's default action would end it
  // with 128 + N, as the command's signal-forwarding handlers make way for this one).
  // A terminal's Ctrl-C now, after a command that SIGINT ended, is the one that ended it, handled late.
  const giveUp = (signal: NodeJS.Signals) =>
    outcome.interrupted || (outcome.signal === 'SIGINT' && sentByTerminal(signal))
      ? endBySignalWhenEchoed('SIGINT', outcome.exitCode)
      : process.exit(outcome.exitCode);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, giveUp);
  outcome.release();
  try {
    await sink.close(options.flushTimeout * 1000);
  } catch (error) {
    if (error !== warnings.refusal) warnings.once(describe(error));
    // A request still waiting for a stuck server must not keep the wrapper up past --flush-timeout.
    if (!outcome.interrupted) exitWhenEchoed(outcome.exitCode);
  }
  // A shell running the wrapper at a terminal got the Ctrl-C too: an exit with 130 would tell it
  // the command handled the signal, and a script (`for …; do zen-sessions run -- make; done`)
  // would go on to its next step, where it stops when the command is bare.
  if (!outcome.interrupted) return outcome.exitCode;
  endBySignalWhenEchoed('SIGINT', outcome.exitCode);
  return new Promise<number>(() => undefined); // not exited with a code: the signal ends the process
}

/**
 * The logger that feeds the session `start` created or continued (`session`: the fields it has), or
 * that creates it when the server could not be reached at the start.
 */
function sessionLogger(
  server: Connection,
  options: RunOptions,
  id: string,
  session: SessionInput,
  start: SessionStart,
  continued: SessionInput,
  report: Pick<SessionLoggerOptions, 'onWarning' | 'onError'>,
): SessionLogger {
  return createSessionLogger({
    ...server,
    id,
    appname: session.appname as string,
    mode: session.mode ?? undefined,
    jobid: session.jobid ?? undefined,
    metadata: session.metadata ?? undefined,
    // Unreachable at the start: the logger creates the session when the server answers, or,
    // for an --id that may exist, continues it as runCommand does (keeping its appname, mode and jobid).
    alreadyOpen: !start.unreachable,
    whenExists: options.id ? continued : undefined,
    maxQueue: options.bufferLines,
    heartbeatMs: HEARTBEAT_MS,
    flushOnExit: false,
    ...report,
  });
}

/** Where the command's lines go: the session's logger, or nowhere when the server refused the session. */
type Sink = Pick<
  SessionLogger,
  'dashboardUrl' | 'backlogged' | 'appendBytes' | 'error' | 'drained' | 'updateMetadata' | 'close'
>;

const NOTHING_SENT: Sink = {
  dashboardUrl: '',
  backlogged: false,
  appendBytes: () => undefined,
  error: () => undefined,
  drained: () => Promise.resolve(),
  updateMetadata: () => undefined,
  close: () => Promise.resolve(),
};

interface Outcome {
  code: number | null;
  signal: string | null;
  exitCode: number;
  /**
   * Ended by the Ctrl-C of its terminal (SIGINT to the whole foreground group, the wrapper's shell
   * included): the wrapper then ends by SIGINT too, with its code only as a fallback.
   */
  interrupted?: boolean;
  /** Removes the handlers that passed signals on to the command; called once the run's own are in place. */
  release: () => void;
}

/**
 * SIGINT, SIGTERM and SIGHUP that come before the command has started, from the wrapper's start:
 * the first is kept, to be passed on as soon as the command starts, or, if it came before the
 * command was about to start, to end the run without starting it (as the signal would have
 * ended the command at once). A second one goes to `again`: the user will not wait for a slow
 * server to answer the session's creation.
 */
class EarlySignals {
  signal: NodeJS.Signals | null = null;
  private readonly heard = (signal: NodeJS.Signals) => {
    if (this.signal) this.again(signal);
    else this.signal = signal;
  };

  constructor(private readonly again: (signal: NodeJS.Signals) => void) {
    for (const signal of FORWARDED_SIGNALS) process.on(signal, this.heard);
  }

  stop(): void {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, this.heard);
  }
}

/** A signal came before the command started: it is not started, and the run ends as the signal would have ended it. */
function notStarted(command: string, early: EarlySignals, sink: Sink): Outcome {
  const signal = early.signal as NodeJS.Signals;
  const why = `${signal} came before ${command || "''"} started: it was not run`;
  warn(why);
  sink.error(why);
  // A Ctrl-C at the terminal: it would have ended the command as it ended the wrapper's wait.
  const interrupted = sentByTerminal(signal);
  return { code: null, signal, exitCode: exitCodeOfSignal(signal), release: () => early.stop(), interrupted };
}

/** One output stream's reader: its chunks, echoed and split into entries. */
interface OutputReader {
  onChunk(chunk: Buffer): void;
  /** Takes the stream once the command is spawned, to pause it while the echo or the server falls behind. */
  follow(stream: Readable): void;
  /** Nothing is held back any more: what is left is read as fast as it comes. */
  release(): void;
}

function outputReader(
  echo: Echo,
  base: LogLevel,
  data: typeof STDOUT | typeof STDERR,
  sink: Sink,
  options: RunOptions,
  onRead: () => void,
): OutputReader {
  const markers = options.levelFromMarkers !== false;
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
  return {
    onChunk(chunk) {
      onRead();
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
    },
    follow(stream) {
      hold = holder(stream);
      stream.on('end', () => lines.end());
      // Destroyed by a signal after the command exited (no 'end' comes): its last line still counts.
      stream.on('close', () => lines.end());
    },
    release: () => hold?.release(),
  };
}

/**
 * A signal came after the command exited, while a process it left behind keeps its output open.
 * What the command wrote just before it exited may still be in the pipes (a Ctrl-C as it ends),
 * or held back there while the echo or the server was behind: read on, nothing held back, until
 * none came for AFTER_EXIT_QUIET_MS (at most AFTER_EXIT_MAX_MS), then destroy the streams.
 * `now()` destroys them at once (a second signal); `cancel()` once they closed by themselves.
 */
interface QuietStop {
  now: () => void;
  cancel: () => void;
}

function stopWhenQuiet(streams: Readable[], readers: OutputReader[], lastReadAt: () => number): QuietStop {
  const signalledAt = Date.now();
  const deadline = signalledAt + AFTER_EXIT_MAX_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let recheck: ReturnType<typeof setImmediate> | undefined;
  const cancel = () => {
    clearTimeout(timer);
    clearImmediate(recheck);
  };
  const now = () => {
    cancel();
    for (const stream of streams) stream.destroy();
  };
  const whenQuiet = (polled: boolean) => {
    const at = Date.now();
    const quietIn = Math.max(lastReadAt(), signalledAt) + AFTER_EXIT_QUIET_MS - at;
    if (at >= deadline || (quietIn <= 0 && polled)) return now();
    // Quiet by the clock, yet the quiet may have been this process's own (a busy machine kept it
    // from running): what waits in the pipes is read in the loop's next poll, before this believes it.
    if (quietIn <= 0) recheck = setImmediate(() => whenQuiet(true));
    else timer = setTimeout(() => whenQuiet(false), Math.min(quietIn, deadline - at));
  };
  for (const reader of readers) reader.release();
  whenQuiet(false);
  return { now, cancel };
}

/**
 * Runs the command with its output read, echoed and sent to `sink`, and the signals passed on to
 * it; its outcome once it has exited and all of its output is read.
 */
async function runChild(
  command: string,
  args: string[],
  sink: Sink,
  options: RunOptions,
  early: EarlySignals,
): Promise<Outcome> {
  /** When a chunk of either stream was last read: a signal after the command exited waits for a quiet moment. */
  let lastReadAt = 0;
  const onRead = () => (lastReadAt = Date.now());
  const out = outputReader(echoTo(process.stdout), 'info', STDOUT, sink, options, onRead);
  const err = outputReader(echoTo(process.stderr), 'warn', STDERR, sink, options, onRead);
  const readers = await outputReaders(out.onChunk, err.onChunk);
  const cannotRun = cannotRunReporter(command, sink);
  let spawned: SpawnedCommand;
  try {
    spawned = readers.spawn(command, args);
  } catch (error) {
    // Refused before any process exists (an empty command, as `run -- "$UNSET"` gives): no
    // 'error' event comes, and the session must still get its exit code and end.
    const code = cannotRun(127, command === '' ? 'command not found' : describe(error), describe(error));
    return { code, signal: null, exitCode: code, release: () => early.stop() };
  }
  const { child, stdout, stderr } = spawned;
  out.follow(stdout);
  err.follow(stderr);
  // Its own handlers are in place before the early ones go: a signal never meets none.
  const forwarding = new SignalForwarding(child, () => stopWhenQuiet([stdout, stderr], [out, err], () => lastReadAt));
  early.stop();
  // One that came while the command's output streams were being made: the command gets it now.
  if (early.signal) child.kill(early.signal);
  return outcomeOf(command, spawned, cannotRun, forwarding);
}

/** Says why the command cannot run, on stderr and in the session; the exit code, as a shell answers. */
type CannotRun = (code: 126 | 127, why: string, detail?: string) => number;

function cannotRunReporter(command: string, sink: Sink): CannotRun {
  const name = command || "''";
  return (code, why, detail = why) => {
    warn(`cannot run ${name}: ${why}`);
    sink.error(`cannot run ${name}: ${detail}`);
    return code;
  };
}

/**
 * The command's outcome once it has exited and all of its output is read: its exit code or signal,
 * or, as a shell answers, 127 for a command not found (or a file found whose interpreter is not:
 * named) and 126 for one found but not executable.
 */
function outcomeOf(
  command: string,
  spawned: SpawnedCommand,
  cannotRun: CannotRun,
  forwarding: SignalForwarding,
): Promise<Outcome> {
  let failedToStart: number | null = null;
  spawned.child.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EACCES') {
      const why = notExecutableReason(command);
      failedToStart = cannotRun(126, why, `${why} (${error.message})`);
      return;
    }
    if (error.code !== 'ENOENT') {
      failedToStart = cannotRun(127, error.message);
      return;
    }
    const why = notFoundReason(command);
    failedToStart = cannotRun(127, why, why === 'command not found' ? error.message : `${why} (${error.message})`);
  });
  return spawned.closed.then(({ code, signal }) => {
    forwarding.closed();
    const release = () => forwarding.release();
    if (failedToStart !== null) return { code: failedToStart, signal: null, exitCode: failedToStart, release };
    // Asked when the run ends, not now: the wrapper's own Ctrl-C may be handled after its output closed.
    return {
      code,
      signal,
      exitCode: code ?? exitCodeOfSignal(signal),
      release,
      get interrupted() {
        return signal === 'SIGINT' && forwarding.fromTerminal;
      },
    };
  });
}

/**
 * Passes SIGINT, SIGTERM and SIGHUP on to the running command, but not one it got from the
 * terminal too. Once the command has exited, what keeps its output open is a process it left
 * behind (`sh -c 'server & echo started'`): a signal now has no command to go to, and ends the
 * wait for that output (`stopWhenQuiet`), as it would end `cat` in `cmd | cat`; a second one ends
 * it at once. The exit code stays the command's.
 */
class SignalForwarding {
  /** Whether a SIGINT came from the terminal (Ctrl-C) while the command ran. */
  fromTerminal = false;
  private exited = false;
  private stopping: QuietStop | null = null;
  private closedDown = false;
  private readonly forward = (signal: NodeJS.Signals) => {
    // The child got a terminal's Ctrl-C too. Noted whenever the wrapper handles its own copy: on a
    // busy machine that may come after the command's exit, which the same Ctrl-C caused.
    const fromTerminal = sentByTerminal(signal);
    if (fromTerminal) this.fromTerminal = true;
    if (this.closedDown) return;
    if (this.stopping) return this.stopping.now(); // a second signal: at once
    if (this.exited) {
      this.stopping = this.stopWhenQuiet();
      return;
    }
    if (!fromTerminal) this.child.kill(signal);
  };

  constructor(
    private readonly child: ChildProcess,
    private readonly stopWhenQuiet: () => QuietStop,
  ) {
    child.once('exit', () => (this.exited = true));
    for (const signal of FORWARDED_SIGNALS) process.on(signal, this.forward);
  }

  /** Its output is read: nothing more for a signal to do here (the caller's handler takes over). */
  closed(): void {
    this.stopping?.cancel();
    this.closedDown = true;
  }

  /** Removes the handlers; called once the run's own are in place. */
  release(): void {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, this.forward);
  }
}
