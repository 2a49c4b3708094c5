import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { eventually } from './eventually';
import { REPO } from './repo';
import { sessionIdIn, sessionIdOf } from './session-line';

/** The built `zen-sessions` command line (`nx build cli`). */
export const CLI = resolve(REPO, 'dist/apps/cli/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to a clean shell's environment (one without ZEN_SESSIONS_URL and ZEN_SESSIONS_TOKEN). */
  env?: Record<string, string | undefined>;
  /** Written to its stdin, which is then closed; without it stdin stays open (`cli` closes it). */
  input?: string;
  cwd?: string;
}

/** The CLIs started by the spec file that imports this module and still running. */
const running = new Set<CliProcess>();

/** The built CLI as a child process, with the environment of a clean shell plus `env`. */
export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ZEN_SESSIONS_URL: undefined,
    ZEN_SESSIONS_TOKEN: undefined,
  };
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  return new CliProcess(child);
}

/** The built CLI run to its exit, stdin closed after `input` (or at once). */
export function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const process = startCli(args, options);
  if (options.input === undefined) process.child.stdin?.end();
  return process.done;
}

/** Kills (SIGKILL) every CLI still running, for an `afterAll`: a failed test leaves none behind. */
export async function killRunningClis(): Promise<void> {
  const left = [...running];
  for (const cli of left) cli.child.kill('SIGKILL');
  await Promise.all(left.map((cli) => cli.done));
}

/** A started CLI: what it printed so far, and its result once it has exited. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly done: Promise<CliResult>;

  constructor(readonly child: ChildProcess) {
    running.add(this);
    child.stdout?.on('data', (chunk) => (this.stdout += chunk));
    child.stderr?.on('data', (chunk) => (this.stderr += chunk));
    // 'close', not 'exit': by then its output has been read to the end.
    this.done = new Promise((done) =>
      child.on('close', (code, signal) => {
        running.delete(this);
        done({ code, signal, stdout: this.stdout, stderr: this.stderr });
      }),
    );
  }

  /**
   * The session id a `zen-sessions run` printed on stderr, once it has: waited for up to `ms`;
   * throws, showing its stderr, when it exits without printing one.
   */
  async sessionId(ms = 30_000): Promise<string> {
    let exited = false;
    void this.done.then(() => (exited = true));
    await eventually(() => exited || sessionIdIn(this.stderr) !== undefined, ms, 'the session id from run');
    return sessionIdOf(this.stderr);
  }

  /**
   * Its result once it exits, or null when it has not within `ms`: it is then killed (SIGKILL)
   * and waited for. The timer is cleared either way, so that none outlives the test.
   */
  async doneWithin(ms: number): Promise<CliResult | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((done) => (timer = setTimeout(() => done(null), ms)));
    try {
      const result = await Promise.race([this.done, late]);
      if (result) return result;
    } finally {
      clearTimeout(timer);
    }
    this.child.kill('SIGKILL');
    await this.done;
    return null;
  }
}
