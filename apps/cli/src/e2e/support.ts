import { REPO, sessionIdIn } from '@zen/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';

export const CLI = resolve(REPO, 'dist/apps/cli/main.js');

/** The directories `tempDir` made for the spec file that imports this module. */
const tempDirs: string[] = [];

/**
 * A new directory under the system's temporary one (`prefix` and random characters), removed with
 * what is in it once the spec file's tests are done (a child a test started may outlive it by a
 * moment).
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(resolve(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

// Jest evaluates this module once per spec file: the hook is that file's.
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
}

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

export function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const process = startCli(args, options);
  if (options.input === undefined) process.child.stdin?.end();
  return process.done;
}

export class CliProcess {
  stdout = '';
  stderr = '';
  readonly done: Promise<CliResult>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk) => (this.stdout += chunk));
    child.stderr?.on('data', (chunk) => (this.stderr += chunk));
    this.done = new Promise((done) =>
      child.on('close', (code, signal) => done({ code, signal, stdout: this.stdout, stderr: this.stderr })),
    );
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

/** The session id `run` printed on stderr. */
export function sessionIdOf(stderr: string): string {
  const id = sessionIdIn(stderr);
  if (id === undefined) throw new Error(`no session id in:\n${stderr}`);
  return id;
}

/**
 * Whether `signal` is pending for process `pid` (Linux's /proc: not yet delivered to it). Once
 * it is not, a later signal reaches the process after it, whatever their numbers: two pending
 * together would be delivered lowest number first.
 */
export function signalPending(pid: number, signal: NodeJS.Signals): boolean {
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const masks = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].map((match) => BigInt(`0x${match[1]}`));
  return masks.some((mask) => (mask & bit) !== 0n);
}
