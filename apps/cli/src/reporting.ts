import { ApiError, NetworkError, UnexpectedResponseError } from '@zen/client';

// How the command line tells what went wrong: one line on stderr, and the exit code.

/** A usage error found after parsing (exit 2). */
export class UsageError extends Error {}

/** Exit codes of every command but `run`: 0 done, 1 the server answered an error or could not be reached, 2 usage. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}

/** One line on stderr saying what went wrong. */
export function describe(error: unknown): string {
  // Its message names the URL, the status and the content type, and says what is likely wrong.
  if (error instanceof UnexpectedResponseError) return error.message;
  // The server's 401 says to send a header; a user of the command gives it a token another way.
  if (error instanceof ApiError && error.status === 401)
    return `the server answered 401: ${error.message}; give the command its token with --token or ZEN_SESSIONS_TOKEN`;
  if (error instanceof ApiError) return `the server answered ${error.status}: ${error.message}`;
  if (error instanceof NetworkError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** One line on stderr: line breaks in `message` (a proxy's HTML error page, a TLS error) become spaces. */
export function warn(message: string): void {
  process.stderr.write(`zen-sessions: ${message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`);
}
