import { ChildProcess } from 'node:child_process';

/** Children still running when the test process exits are killed, so none outlives jest. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A child process whose output is kept for failure messages. */
export class Child {
  output = '';
  /** Resolves once the child has exited and its output has been read to the end. */
  readonly closed: Promise<number | null>;

  constructor(readonly process: ChildProcess) {
    running.add(process);
    process.stdout?.on('data', (chunk) => (this.output += chunk));
    process.stderr?.on('data', (chunk) => (this.output += chunk));
    // 'close', not 'exit': by then the output streams have been read to the end.
    this.closed = new Promise((done) =>
      process.once('close', (code) => {
        running.delete(process);
        done(code);
      }),
    );
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Sends `signal` (SIGTERM: a graceful stop; SIGKILL: a crash) and waits for the exit; its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.alive) return this.process.exitCode;
    const exited = new Promise<number | null>((done) => this.process.once('exit', (code) => done(code)));
    this.process.kill(signal);
    return exited;
  }
}

/** Polls `url` until it answers `status`, or fails with the child's output if it exits or the time runs out. */
export async function waitUntilServing(url: string, child: Child, status = 200, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.alive) throw new Error(`process exited before ${url} answered:\n${child.output}`);
    try {
      if ((await fetch(url)).status === status) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} did not answer ${status} in time:\n${child.output}`);
}
