import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The built server (dist/apps/api/main.js) in a child process, as production runs it. */
export class ServerProcess {
  output = '';
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
  }

  static async start(env: Record<string, string> = {}): Promise<ServerProcess> {
    const port = await freePort();
    const server = new ServerProcess(
      spawnServer({ PORT: String(port), HOST: '127.0.0.1', ...env }),
      `http://127.0.0.1:${port}`,
    );
    const child = server.child;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited:\n${server.output}`);
      try {
        if ((await fetch(`${server.url}/health`)).ok) return server;
      } catch {
        // not listening yet
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`server did not start:\n${server.output}`);
  }

  /** Runs the built server with `env` when it is expected to stop by itself: its exit code and output. */
  static async runToExit(
    env: Record<string, string>,
    timeoutMs = 20_000,
  ): Promise<{ code: number | null; output: string }> {
    const server = new ServerProcess(spawnServer(env), '');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), timeoutMs);
    // 'close', not 'exit': by then the output streams have been read to the end.
    const code = await new Promise<number | null>((done) => server.child.once('close', (exitCode) => done(exitCode)));
    clearTimeout(timer);
    return { code, output: server.output };
  }

  get wsUrl(): string {
    return this.url.replace('http', 'ws') + '/sessions/ws';
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident memory of the server process, in bytes. */
  rss(): number {
    const line = readFileSync(`/proc/${this.child.pid}/status`, 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('VmRSS:')) as string;
    return Number(line.split(/\s+/)[1]) * 1024;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.alive()) return this.child.exitCode;
    const exited = new Promise<number | null>((done) => this.child.once('exit', (code) => done(code)));
    this.child.kill(signal);
    return exited;
  }
}

function spawnServer(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['dist/apps/api/main.js'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const oid = (n: number) => n.toString(16).padStart(24, '0');
