import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually';
import { freePort } from './free-port';

export interface RedisServerOptions {
  /** More `redis-server` arguments, e.g. `['--appendfsync', 'always']`. */
  args?: string[];
  /** Longest wait for the server to accept connections (loading a large AOF takes a while). */
  readyTimeoutMs?: number;
  /** Runs the server on these CPU cores ('1', '0,1') with `taskset -c`, where taskset exists (the bench pins its processes). */
  cores?: string;
}

/** Servers still running when the test process exits are killed, so none outlives jest. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Debian's `redis-server` for one test file: its own free loopback port and temporary
 * directory, persistence by append-only file and no snapshots. It can be stopped, killed
 * and restarted on the same port and directory, to test outages and durability.
 */
export class RedisServer {
  /** Everything the server printed, for failure messages. */
  output = '';
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'zen-redis-'));
    // Another process may take the free port before redis-server binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await freePort(), dir, options);
      try {
        await server.launch();
        return server;
      } catch (error) {
        if (attempt === 3 || !String(error).includes('Address already in use')) {
          rmSync(dir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.child !== null;
  }

  /** The server's process id while it runs (taskset execs redis-server in place, so also when pinned). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A graceful stop (SIGTERM): Redis flushes its append-only file first. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** A crash (SIGKILL): whatever Redis had not yet written to disk is lost. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered, as a stalled Redis does. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a paused server run on (SIGCONT): what it was sent meanwhile is answered now. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Starts again on the same port and directory, stopping first if it is running. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /**
   * Another server holding a copy of this one's data as it is now, which then goes its own way
   * (Redis replication, then `REPLICAOF NO ONE`): a store that a failover or a restore from an
   * older snapshot brings back behind what clients saw.
   */
  async copy(): Promise<RedisServer> {
    const copy = await RedisServer.start(this.options);
    const cli = async (...args: string[]) =>
      (await promisify(execFile)('redis-cli', ['-p', String(copy.port), ...args])).stdout;
    await cli('REPLICAOF', '127.0.0.1', String(this.port));
    await eventually(
      async () => /master_link_status:up/.test(await cli('INFO', 'replication')),
      20_000,
      'the copy in sync',
    );
    await cli('REPLICAOF', 'NO', 'ONE');
    return copy;
  }

  /** Stops the server and removes its directory. */
  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private launch(): Promise<void> {
    return this.untilReady(this.spawn());
  }

  /** Starts redis-server on this port and directory (pinned if asked); `running` kills it if the tests exit first. */
  private spawn(): ChildProcess {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    args.push('--save', '', '--appendonly', 'yes', ...(this.options.args ?? []));
    const { cores } = this.options;
    const child =
      cores !== undefined && existsSync('/usr/bin/taskset')
        ? spawn('taskset', ['-c', cores, 'redis-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    child.once('exit', () => {
      running.delete(child);
      if (this.child === child) this.child = null;
    });
    return child;
  }

  /**
   * Resolves once the server says it accepts connections, or fails with what it printed: it exited
   * first, could not be started, or was not ready within readyTimeoutMs (then it is killed).
   */
  private untilReady(child: ChildProcess): Promise<void> {
    return new Promise((ready, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`redis-server did not become ready in time:\n${this.output}`));
      }, this.options.readyTimeoutMs ?? 20_000);
      let launchOutput = '';
      const onOutput = (chunk: Buffer) => {
        this.output += chunk;
        launchOutput += chunk;
        if (launchOutput.includes('Ready to accept connections')) {
          clearTimeout(timer);
          child.stdout?.off('data', onOutput);
          child.stdout?.on('data', (more) => (this.output += more));
          child.off('close', onEarlyExit);
          ready();
        }
      };
      child.stdout?.on('data', onOutput);
      child.stderr?.on('data', (chunk) => {
        this.output += chunk;
        launchOutput += chunk;
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(new Error(`redis-server could not be started (is it installed?): ${error.message}`));
      });
      const onEarlyExit = (code: number | null) => {
        clearTimeout(timer);
        fail(new Error(`redis-server exited with code ${code}:\n${launchOutput}`));
      };
      // 'close', not 'exit': the output is complete only once the pipes have closed.
      child.once('close', onEarlyExit);
    });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
  }
}
