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
  const file = command === '' ? null : locate(command, path);
  if (file === null) return 'command not found';
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
  const file = command.includes('/') ? command : firstOnPath(command, path);
  const subject = file === null || file === command ? 'it' : file;
  if (file !== null && isDirectory(file)) return `${subject} is a directory`;
  if (file !== null && isFile(file) && !isExecutable(file))
    return `permission denied: ${subject} has no execute permission`;
  return 'permission denied';
}

/** The first file or directory on `path` named `command` (what execvp tried before it gave up with EACCES), or null. */
function firstOnPath(command: string, path: string | undefined): string | null {
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const file = resolve(dir || '.', command);
    if (isFile(file) || isDirectory(file)) return file;
  }
  return null;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** The file `command` names, as execvp finds it: the path given when it has a slash, else the first executable on `path`. */
function locate(command: string, path: string | undefined): string | null {
  if (command.includes('/')) return isFile(command) ? command : null;
  // An empty entry is the working directory, as for execvp; an unset PATH, its default.
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const file = resolve(dir || '.', command);
    if (isFile(file) && isExecutable(file)) return file;
  }
  return null;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
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
