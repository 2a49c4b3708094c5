import { fstatSync } from 'node:fs';
import { ApiError, createSessionLogger, FlushTimeoutError, NetworkError, type SessionLogger } from '@zen/client';
import type { LogLevel } from '@zen/contract';
import { connection, GlobalOptions, HEARTBEAT_MS, restClient } from '../connection';
import { LineSplitter } from '../line-splitter';
import { exitCodeOfSignal } from '../signal-exit';

interface LogOptions extends GlobalOptions {
  level: LogLevel;
}

/** How long, after stdin ends, the last entries may wait for an unreachable server. */
const FLUSH_TIMEOUT_MS = 10_000;

/** `zen-sessions log <id> [message...]`: one entry, or every line of stdin as it arrives. */
export async function logCommand([id, words]: [string, string[]], options: LogOptions): Promise<number> {
  if (words.length > 0) {
    // Split, as the stdin path splits a long line, where longer than the server takes.
    await restClient(options).logs.appendMessage(id, { level: options.level, message: words.join(' ') });
    return 0;
  }
  // Node reads a directory given as stdin (`< dir`) as an empty stream: said, as `cat` says it (exit 1).
  if (stdinIsDirectory()) throw new Error('cannot read stdin: EISDIR: it is a directory');
  // In place from here until the process has exited: see StopSignals.
  const signals = new StopSignals();
  let failure: Error | null = null;
  const logger = stdinLogger(id, options, (error) => (failure ??= error));
  const lines = new LineSplitter(
    (bytes, start, end) => logger.appendBytes(options.level, bytes, start, end),
    1_000,
    () => process.stdin.isPaused(),
  );
  const { signalled, readError } = await readStdin(lines, logger, signals);
  lines.end();
  await sendTheRest(logger, id, options, signals);
  if (failure) throw failure;
  // What was read before is sent; the failure is still one (as `cat < dir` says and exits 1).
  if (readError) throw new Error(`cannot read stdin: ${readError.message}`);
  return signalled ? exitCodeOfSignal(signalled) : 0;
}

/** The logger stdin's lines go to: attached to the session (neither created nor ended by it), heartbeating it. */
function stdinLogger(id: string, options: LogOptions, onError: (error: Error) => void): SessionLogger {
  return createSessionLogger({
    ...connection(options),
    id,
    appname: 'zen-sessions log',
    attach: true,
    heartbeatMs: HEARTBEAT_MS,
    flushOnExit: false,
    onError,
  });
}

/**
 * Sends what is still held once stdin is read, waiting up to FLUSH_TIMEOUT_MS; not sent in time,
 * it fails with why (`whyNotSent`). A signal meanwhile ends the wait.
 */
async function sendTheRest(
  logger: SessionLogger,
  id: string,
  options: LogOptions,
  signals: StopSignals,
): Promise<void> {
  // A signal while the last entries are sent (a second one, or the first after stdin's end) ends the wait.
  signals.now((signal) => process.exit(exitCodeOfSignal(signal)));
  try {
    await logger.close(FLUSH_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof FlushTimeoutError) throw await whyNotSent(id, options, error);
    throw error;
  } finally {
    // Sent, or given up: the exit code is decided (process.exitCode is set, by the command's action
    // or by main's one line, before the next turn of the event loop, where a signal is heard), and
    // a signal now only ends the process sooner, with that code.
    signals.now(() => process.exit());
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * SIGINT, SIGTERM and SIGHUP while `log` reads stdin, sends what it read and exits: what one does
 * depends on how far it got (`now`). The handlers are never removed: with no listener left, Node
 * gives a signal back its default action, and one more while the process exits (Ctrl-C twice, a
 * build agent's `timeout` signalling the pid and then its group) would end it by the signal
 * rather than with its exit code.
 */
class StopSignals {
  private act: (signal: NodeJS.Signals) => void = () => undefined;

  constructor() {
    const heard = (signal: NodeJS.Signals) => this.act(signal);
    for (const signal of SIGNALS) process.on(signal, heard);
  }

  /** What a signal does from now on. */
  now(act: (signal: NodeJS.Signals) => void): void {
    this.act = act;
  }
}

function stdinIsDirectory(): boolean {
  try {
    return fstatSync(0).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Feeds stdin's lines to the logger until it ends, or until SIGINT, SIGTERM or SIGHUP: Ctrl-C on
 * `make | zen-sessions log`, or a build agent's SIGTERM to the pipeline's process group, then
 * still sends what was read (the last lines, which say why the build was stopped), where dying
 * at once would lose up to a batch's worth. Resolves with the signal, if one ended it, or the
 * error that stopped the reading.
 */
function readStdin(
  lines: LineSplitter,
  logger: SessionLogger,
  signals: StopSignals,
): Promise<{ signalled: NodeJS.Signals | null; readError?: Error }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (signal: NodeJS.Signals | null, readError?: Error) => {
      if (done) return;
      done = true;
      process.stdin.pause();
      resolve({ signalled: signal, readError });
    };
    // After this turn's I/O: what was in the pipe as the signal came is read first.
    signals.now((signal) => setImmediate(() => finish(signal)));
    process.stdin.on('data', (chunk: Buffer) => {
      if (done) return;
      lines.write(chunk);
      if (logger.backlogged) {
        process.stdin.pause();
        void logger.drained().then(() => !done && process.stdin.resume());
      }
    });
    process.stdin.on('end', () => finish(null));
    // Not readable (a directory, a read error): said once the rest is done, never taken for its end.
    process.stdin.on('error', (error) => finish(null, error));
  });
}

/**
 * The entries could not be sent in time: ask the server once more, so the one line on stderr
 * says what is wrong (`cannot reach http://…: ECONNREFUSED`, or its answer) rather than only a count.
 * Asked with a write (a heartbeat), as sending is: a server whose store still answers reads but
 * refuses writes (Redis full: `OOM …`) is then named too.
 */
async function whyNotSent(id: string, options: LogOptions, timeout: FlushTimeoutError): Promise<Error> {
  try {
    await restClient(options).sessions.heartbeat(id);
    return timeout;
  } catch (error) {
    if (error instanceof NetworkError || error instanceof ApiError) {
      if (timeout.unsent > 0)
        error.message = `${error.message} (${timeout.unsent} log ${timeout.unsent === 1 ? 'entry' : 'entries'} not sent)`;
      return error;
    }
    return timeout;
  }
}
