import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';

/** The longest `#!` line the kernel reads (Linux: BINPRM_BUF_SIZE). */
const SHEBANG_MAX_BYTES = 256;

/**
 * Why a command the system would not start with ENOENT was not found, in the words a careful user
 * needs. Mostly no such file is on the `PATH` (or at the path given): `command not found`, as a
 * shell says. But a file that is there gets ENOENT too when what it needs to start is missing: the
 * interpreter its `#!` line names (a script checked out with Windows line endings names
 * `/bin/sh\r`), or a binary's loader. "command not found" then sends the user looking for the wrong
 * file; this names the missing one, as bash's `bad interpreter` does.
 */
export function notFoundReason(command: string, path = process.env['PATH']): string {
  // On the PATH, execvp passes by what it cannot execute (and an empty command names a directory).
  const file = commandFile(command, path, (found) => fileKind(found) === 'file' && isExecutable(found));
  if (file === null || fileKind(file) !== 'file') return 'command not found';
  const interpreter = shebangInterpreter(file);
  if (interpreter === null) return 'required file not found: the loader or interpreter it needs';
  const crlf = interpreter.endsWith('\r') ? ' (the \\r of a Windows line ending)' : '';
  return `its interpreter ${JSON.stringify(interpreter)}${crlf}, named by its #! line, was not found`;
}

/**
 * Why a command the system would not start with EACCES cannot run, in the words a shell uses rather
 * than an errno: the file is a directory (`run -- ./build` where `./build.sh` was meant), or has no
 * execute permission (a script unpacked or checked out without its x bit). Else it is what execve
 * says, permission denied (a file system mounted `noexec`, a directory on the way that cannot be
 * searched). A command found on the `PATH` is named by the file found.
 */
export function notExecutableReason(command: string, path = process.env['PATH']): string {
  // On the PATH, the first file or directory of its name: what execvp tried before it gave up with EACCES.
  const file = commandFile(command, path, (found) => fileKind(found) !== null);
  if (file === null) return 'permission denied';
  const subject = file === command ? 'it' : file;
  const kind = fileKind(file);
  if (kind === 'directory') return `${subject} is a directory`;
  if (kind === 'file' && !isExecutable(file)) return `permission denied: ${subject} has no execute permission`;
  return 'permission denied';
}

/**
 * The file `command` names, as execvp finds it: the path given when it has a slash, else the first
 * on `path` that `accept` takes (an empty entry is the working directory; an unset PATH, its
 * default), or null.
 */
function commandFile(command: string, path: string | undefined, accept: (file: string) => boolean): string | null {
  if (command.includes('/')) return command;
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const file = resolve(dir || '.', command);
    if (accept(file)) return file;
  }
  return null;
}

/** What is at `file`: a file, a directory, or null (nothing, or something else: a FIFO, a device). */
function fileKind(file: string): 'file' | 'directory' | null {
  try {
    const stats = statSync(file);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : null;
  } catch {
    return null;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The interpreter a `#!` line names (up to the first space or tab, as the kernel reads it), or null. */
function shebangInterpreter(file: string): string | null {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      head = Buffer.alloc(SHEBANG_MAX_BYTES);
      head = head.subarray(0, readSync(fd, head, 0, SHEBANG_MAX_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (head[0] !== 0x23 || head[1] !== 0x21) return null; // #!
  const line = head
    .toString('utf8', 2)
    .split('\n')[0]
    .replace(/^[ \t]+/, '');
  const interpreter = line.split(/[ \t]/)[0];
  return interpreter === '' ? null : interpreter;
}
