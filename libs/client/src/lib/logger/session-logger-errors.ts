/** Waiting for `flush()`/`close()` to finish gave up after `timeoutMs`. */
export class FlushTimeoutError extends Error {
  override readonly name = 'FlushTimeoutError';

  constructor(
    /** How many entries were still waiting to be sent. */
    readonly unsent: number,
    timeoutMs: number,
  ) {
    super(
      unsent > 0
        ? `${logEntries(unsent)} could not be sent within ${timeoutMs} ms`
        : `the session could not be opened or ended within ${timeoutMs} ms`,
    );
  }
}

/** `flush()` or `close()` settled by a `close()` that stopped the logger with entries (or the session's end) unsent. */
export class SessionLoggerClosedError extends Error {
  override readonly name = 'SessionLoggerClosedError';

  constructor(
    /** How many entries were still waiting to be sent. */
    readonly unsent: number,
  ) {
    super(
      unsent > 0
        ? `the session logger was closed with ${logEntries(unsent)} not sent`
        : 'the session logger was closed before the session was opened or ended',
    );
  }
}

/** "1 log entry", "2 log entries": how a count of entries reads in a message. */
function logEntries(count: number): string {
  return `${count} log ${count === 1 ? 'entry' : 'entries'}`;
}
