import { CLI, cli } from '@zen/testing';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * `--help` against CLI.md: every option it names for a command is in that command's help, with
 * the default it states (help is where a build engineer looks, CLI.md is not shipped). The
 * options and defaults below are CLI.md's, section by section.
 */
const GLOBAL = [
  ['--server <url>', 'ZEN_SESSIONS_URL', 'http://127.0.0.1:8558'],
  ['--token <token>', 'ZEN_SESSIONS_TOKEN'],
];

const COMMANDS: Record<string, string[][]> = {
  run: [
    ['--appname <name>', "the command's base name"],
    ['--mode <mode>', '"run"'],
    ['--jobid <id>'],
    ['--meta <key=value>', 'repeatable'],
    ['--id <oid>', 'a new one'],
    ['--quiet'],
    ['--level-from-markers', '(default)'],
    ['--no-level-from-markers'],
    ['--buffer-lines <n>', '100000'],
  ],
  log: [['--level <level>', '"debug", "info", "warn", "error"', 'default: "info"']],
  tail: [
    ['-f, --follow'],
    ['-n, --lines <n>', '"all"', 'default: 10'],
    ['--cursor <n>'],
    ['--level <level>', '"debug", "info", "warn", "error"'],
    ['--grep <text>', 'case-insensitive'],
    ['--format <format>', '"text", "ndjson", "json"'],
  ],
  ls: [['--status <status>', '"active", "ended", "all"'], ['--json']],
  end: [],
};

/** Each option of a help text, its flags and its description with commander's wrapping undone. */
function optionsOf(help: string): Map<string, string> {
  const options = new Map<string, string>();
  let last = '';
  for (const line of help.split('\n')) {
    const option = /^ {2}(-[^\s,]*(?:, -[^\s,]+)?(?: <[^>]+>)?)\s+(.*)$/.exec(line);
    if (option) options.set((last = option[1]), option[2]);
    else if (last && /^ {4,}\S/.test(line)) options.set(last, `${options.get(last)} ${line.trim()}`);
    else last = '';
  }
  return options;
}

describe('zen-sessions --help, against CLI.md', () => {
  it('lists every command, the global options with their variables and default, and --version', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of Object.keys(COMMANDS)) expect(stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    const options = optionsOf(stdout);
    for (const [flags, ...phrases] of GLOBAL)
      for (const phrase of phrases)
        expect({ flags, said: options.get(flags) }).toEqual({ flags, said: expect.stringContaining(phrase) });
    expect([...options.keys()]).toContain('-V, --version');
  });

  it.each(Object.entries(COMMANDS))('%s --help names its options and their defaults', async (command, expected) => {
    const { code, stdout } = await cli([command, '--help']);
    expect(code).toBe(0);
    const options = optionsOf(stdout);
    for (const [flags, ...phrases] of [...expected, ...GLOBAL]) {
      expect({ command, flags, listed: options.has(flags) }).toEqual({ command, flags, listed: true });
      for (const phrase of phrases)
        expect({ command, flags, said: options.get(flags) }).toEqual({
          command,
          flags,
          said: expect.stringContaining(phrase),
        });
    }
  });

  it('says in one line and exits 1 when stdout cannot take the help or the version (a full disk), no stack trace', async () => {
    for (const args of [['--help'], ['--version'], ['ls', '--help'], ['help', 'tail']]) {
      const full = openSync('/dev/full', 'w');
      try {
        const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', full, 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (chunk) => (stderr += chunk));
        const code = await new Promise((done) => child.on('close', done));
        expect({ args, code, stderr }).toEqual({
          args,
          code: 1,
          stderr: 'zen-sessions: cannot write to stdout: ENOSPC: no space left on device, write\n',
        });
      } finally {
        closeSync(full);
      }
    }
  });
});
