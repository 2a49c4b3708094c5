import type { Writable } from 'node:stream';

/** The wrapper's stdout or stderr, as the command's echo goes to it. */
export interface Echo {
  /** Writes the chunk; a promise when the stream is full (resolved on 'drain', or when the stream broke). */
  write(chunk: Buffer): Promise<void> | null;
}

/**
 * A closed terminal or pipe (`| head`) stops the echo, never the command or its log: after an
 * error (EPIPE) nothing more is written there, and a wait for 'drain' (which never comes) ends.
 */
export function echoTo(stream: Writable): Echo {
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

/** Exits with `code` once what was written to stdout and stderr has been handed over. */
export function exitWhenEchoed(code: number): void {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/**
 * Ends the process by `signal`, as the command ended, once what was written to stdout and stderr
 * has been handed over: a shell that got the same Ctrl-C (bash running a script, a loop) stops only
 * when its child died of `SIGINT`, and goes on to the next command when it exited, even with 130.
 * Should the process outlive the signal (a handler left elsewhere), it exits with `code`.
 */
export function endBySignalWhenEchoed(signal: NodeJS.Signals, code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending > 0) return;
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(code), 1_000);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
