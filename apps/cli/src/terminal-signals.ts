import { readFileSync } from 'node:fs';

/**
 * Whether `signal` reached the command already: Ctrl-C (SIGINT) at a terminal goes to its whole
 * foreground process group, the command included, so passing it on would deliver it twice.
 * Other signals, and SIGINT to a wrapper outside a terminal's foreground (a build agent's
 * `kill -INT <pid>`), are passed on.
 */
export function sentByTerminal(signal: NodeJS.Signals): boolean {
  if (signal !== 'SIGINT') return false;
  if (process.platform !== 'linux') return false;
  try {
    return inTerminalForeground(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * From `/proc/<pid>/stat`: whether the process is in its controlling terminal's foreground
 * process group. After the `) ` that closes the command's name (which may hold spaces and
 * parentheses) come state, ppid, pgrp, session, tty_nr and tpgid.
 */
export function inTerminalForeground(stat: string): boolean {
  const close = stat.lastIndexOf(') ');
  if (close === -1) return false;
  const [, , pgrp, , ttyNr, tpgid] = stat
    .slice(close + 2)
    .split(' ')
    .map(Number);
  return ttyNr > 0 && tpgid > 0 && pgrp === tpgid;
}
