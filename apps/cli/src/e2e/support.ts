import { resolve } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';

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
