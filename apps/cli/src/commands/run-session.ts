import { hostname } from 'node:os';
import { basename } from 'node:path';
import { ApiError, isRetryable, sessionInputOf, splitUtf8, utf8Length } from '@zen/client';
import type { SessionInput } from '@zen/contract';
import { GlobalOptions, restClient } from '../connection';
import { UsageError } from '../reporting';

/** How long the command waits for its session to be created before it starts anyway. */
const SESSION_WAIT_MS = 5_000;

/** What `run` says of its session: the options' fields and the command's metadata. */
export interface RunSessionOptions extends GlobalOptions {
  appname?: string;
  mode: string;
  jobid?: string;
  meta?: Record<string, string>;
  id?: string;
}

/** Whose session it is when the command has no base name: an empty command (`run -- "$UNSET"`). */
const NAMELESS_COMMAND_APPNAME = 'zen-sessions run';

/**
 * The session `run` creates for `argv`: appname defaults to the command's base name, else the
 * command as given (`/`), else NAMELESS_COMMAND_APPNAME: an empty appname would have the session
 * refused, and the command's failure (not found, 127) would not be logged.
 */
export function runSessionFields(argv: string[], options: RunSessionOptions): SessionInput {
  return {
    appname: options.appname ?? (basename(argv[0]) || argv[0] || NAMELESS_COMMAND_APPNAME),
    mode: options.mode,
    jobid: options.jobid,
    metadata: {
      ...options.meta,
      command: commandLine(argv),
      cwd: workingDirectory(),
      host: hostname(),
      pid: process.pid,
    },
  };
}

/**
 * What continuing an active session sends: only the fields given on the command line replace its
 * own (the defaults, `run` and the command's base name, are for a new session); metadata merges.
 */
export function continuation(fields: SessionInput, given: (option: string) => boolean): SessionInput {
  return {
    appname: given('appname') ? fields.appname : undefined,
    mode: given('mode') ? fields.mode : undefined,
    jobid: given('jobid') ? fields.jobid : undefined,
    metadata: fields.metadata,
  };
}

/**
 * Creates the session (`fields`) or continues an active one (`continued`) before the command
 * starts, waiting at most SESSION_WAIT_MS; when the server cannot be reached (the logger tries
 * again) or refuses, says so. An `--id` that cannot be continued (ended, or the server's own
 * session) is a usage error.
 */
export async function createSession(
  options: RunSessionOptions,
  id: string,
  fields: SessionInput,
  continued: SessionInput,
): Promise<SessionStart> {
  const deadline = Date.now() + SESSION_WAIT_MS;
  const client = () => restClient(options, Math.max(1_000, deadline - Date.now()));
  try {
    if (options.id) {
      const existing = await client()
        .sessions.get(id)
        .catch((error) => {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        });
      if (existing?.status === 'ended') throw endedSession(id);
      if (existing) {
        return { continued: sessionInputOf(await client().sessions.upsert(id, continued)) };
      }
    }
    await client().sessions.upsert(id, fields);
    return {};
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Ended between the look-up and the update.
    if (error instanceof ApiError && error.status === 409) throw endedSession(id);
    if (options.id && error instanceof ApiError && error.status === 403) {
      throw new UsageError(`session ${id} is the server's own session; clients cannot append to it`);
    }
    return isRetryable(error) ? { unreachable: error as Error } : { refused: error as Error };
  }
}

function endedSession(id: string): UsageError {
  return new UsageError(`session ${id} has ended; a new session needs a new id`);
}

/** Created (no field), continued (the session's fields after the update), or why not. */
export interface SessionStart {
  continued?: SessionInput;
  unreachable?: Error;
  refused?: Error;
}

/**
 * The directory the command runs in. One removed meanwhile (a step inside a checkout that an
 * earlier step deleted) has no path to read, yet the command runs there, as from a shell: the
 * metadata then has the shell's `$PWD`, or null.
 */
function workingDirectory(): string | null {
  try {
    return process.cwd();
  } catch {
    return process.env['PWD'] || null;
  }
}

/**
 * The longest command line kept in the metadata, in UTF-8 bytes. A longer one (a compiler given
 * thousands of files, an inline script) would take the metadata past the server's
 * MAX_METADATA_BYTES (64 KiB by default), and a refused session loses the whole log.
 */
const COMMAND_MAX_BYTES = 8 * 1024;

/** The command line for the metadata: whole, or its start and how much was left out. */
function commandLine(argv: string[]): string {
  const line = argv.map(quoteArg).join(' ');
  const bytes = utf8Length(line);
  if (bytes <= COMMAND_MAX_BYTES) return line;
  // Room for the note, whose count has at most 7 digits (a command line is at most a few MB).
  const kept = splitUtf8(line, COMMAND_MAX_BYTES - 32)[0];
  return `${kept}… (${bytes - utf8Length(kept)} bytes more)`;
}

/** The command line as a shell would read it back. */
function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
