import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Child, waitUntilServing } from './child';
import { freePort } from './free-port';
import { REPO } from './repo';

/**
 * The built server (`dist/apps/api/main.js`, from `nx build api`) in a child process on
 * 127.0.0.1, as production runs it: started with an environment, ready once
 * `/health/ready` answers 200, stopped with a signal, restartable on its port. Its output
 * is kept (across restarts) for failure messages.
 */
export class BuiltServer {
  private child: Child | null = null;
  private earlierOutput = '';

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the server with `env` on `port` (a free one by default) and waits until it is ready. */
  static async start(env: Record<string, string> = {}, port?: number): Promise<BuiltServer> {
    const server = new BuiltServer(port ?? (await freePort()), env);
    await server.restart();
    return server;
  }

  /** Runs the built server with `env` when it is expected to stop by itself: its exit code and output. */
  static async runToExit(
    env: Record<string, string>,
    timeoutMs = 20_000,
  ): Promise<{ code: number | null; output: string }> {
    const child = spawnServer(env);
    const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
    const code = await child.closed;
    clearTimeout(timer);
    return { code, output: child.output };
  }

  /** The server root including BASE_PATH, without a trailing slash: `http://127.0.0.1:PORT/zen`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.env['BASE_PATH'] ?? ''}`;
  }

  /** The same as a WebSocket URL. */
  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws');
  }

  /** Everything the server printed, over all its runs. */
  get output(): string {
    return this.earlierOutput + (this.child?.output ?? '');
  }

  get alive(): boolean {
    return this.child?.alive ?? false;
  }

  /** The process id of the current run (undefined before the first start). */
  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  /**
   * Sends `signal` without waiting for its effect: SIGSTOP makes a server that accepts connections
   * but never answers, SIGCONT lets it go on.
   */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child?.process.kill(signal);
  }

  /** Starts the process (again, on the same port) and waits until `/health/ready` answers 200. */
  async restart(): Promise<void> {
    await this.stop();
    this.earlierOutput = this.output;
    this.child = spawnServer({ PORT: String(this.port), HOST: '127.0.0.1', ...this.env });
    await waitUntilServing(`${this.url}/health/ready`, this.child);
  }

  /**
   * SIGTERM is a graceful stop, SIGKILL a crash; resolves with the exit code once the process has exited.
   * A server stopped with SIGSTOP is continued (SIGCONT) so that it receives the signal.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const exited = this.child?.stop(signal);
    this.signal('SIGCONT');
    return (await exited) ?? null;
  }

  /** Resident memory of the server process, in bytes. */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const line = status.split('\n').find((candidate) => candidate.startsWith('VmRSS:')) as string;
    return Number(line.split(/\s+/)[1]) * 1024;
  }
}

function spawnServer(env: Record<string, string>): Child {
  return new Child(
    spawn(process.execPath, ['dist/apps/api/main.js'], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}
