import { readFileSync } from 'node:fs';
import { inTerminalForeground } from './terminal-signals';

/** A /proc/<pid>/stat line: pid (comm) state ppid pgrp session tty_nr tpgid ... */
const stat = (comm: string, pgrp: number, ttyNr: number, tpgid: number) =>
  `4242 (${comm}) S 1 ${pgrp} ${pgrp} ${ttyNr} ${tpgid} 4194304 100 0 0 0 1 2 0 0 20 0 1 0`;

describe('inTerminalForeground (whether Ctrl-C reached the command already)', () => {
  it('is true in the foreground group of a terminal: the keyboard SIGINT went to the command too', () => {
    expect(inTerminalForeground(stat('node', 300, 34816, 300))).toBe(true);
  });

  it('is false in a background group, or with no terminal (a build agent signals the pid)', () => {
    expect(inTerminalForeground(stat('node', 300, 34816, 301))).toBe(false);
    expect(inTerminalForeground(stat('node', 300, 0, -1))).toBe(false);
  });

  it('reads the fields after the last ") ", whatever the command name holds', () => {
    expect(inTerminalForeground(stat('a) S 1 9 9 9 9 (b', 300, 34816, 300))).toBe(true);
    expect(inTerminalForeground(stat('x 7 7 0 7', 300, 34816, 301))).toBe(false);
    expect(inTerminalForeground('garbage')).toBe(false);
  });

  it('reads this process (jest has no terminal of its own here, or is not in its foreground)', () => {
    if (process.platform !== 'linux') return;
    const own = readFileSync('/proc/self/stat', 'utf8');
    expect(typeof inTerminalForeground(own)).toBe('boolean');
  });
});
