/**
 * The engine's own failures. Each names the problem in a sentence a client can act on;
 * the server maps each class to its HTTP status in one place (see docs/architecture.md):
 *
 * | error                      | status |
 * |----------------------------|--------|
 * | InvalidEntryError          | 400    |
 * | MalformedJsonError         | 400    |
 * | ServerSessionError         | 403    |
 * | SessionNotFoundError       | 404    |
 * | LogNotFoundError           | 404    |
 * | SessionEndedError          | 409    |
 * | SessionExistsError         | 409    |
 * | TooManyEntriesError        | 413    |
 * | TooManySessionsError       | 429    |
 * | RateLimitedError           | 429    |
 * | StoreUnavailableError      | 503    |
 *
 * A failed call changes nothing.
 */
export abstract class LogStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An entry (or the body that carries entries) breaks the contract: bad shape, level, time or size. */
export class InvalidEntryError extends LogStoreError {}

/** A request body declared as JSON is not JSON (an append's or a session's). */
export class MalformedJsonError extends LogStoreError {}

/** A batch holds more entries than MAX_BATCH_ENTRIES allows. */
export class TooManyEntriesError extends LogStoreError {}

/** No session has this id (never created, or forgotten by retention). */
export class SessionNotFoundError extends LogStoreError {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} not found`);
  }
}

/** The session exists but its log does not (forgotten meanwhile, or never created in this store). */
export class LogNotFoundError extends LogStoreError {
  constructor(readonly sessionId: string) {
    super(`log of session ${sessionId} not found`);
  }
}

/** The session has ended: it can be read, not changed or appended to. */
export class SessionEndedError extends LogStoreError {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} has ended; a new session needs a new id`);
  }
}

/** `create` for an id some session already has. */
export class SessionExistsError extends LogStoreError {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} already exists`);
  }
}

/** A client tried to change, end or append to a server's own session. */
export class ServerSessionError extends LogStoreError {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} is the server's own session; clients cannot change it`);
  }
}

/** Creating one more client session would pass MAX_SESSIONS. */
export class TooManySessionsError extends LogStoreError {
  constructor(readonly active: number) {
    super(`the server already holds ${active} active sessions (MAX_SESSIONS)`);
  }
}

/** Appending would pass a per-session or per-client rate limit; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends LogStoreError {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`too many entries appended: over ${limit}; retry after ${retryAfterSeconds} s`);
  }
}

/** The store cannot be reached (a shared store down or too slow); retrying later may succeed. */
export class StoreUnavailableError extends LogStoreError {
  /**
   * When the store was only too slow to answer in time: the call's own work, which may still
   * complete (with its result) or fail. What must happen once per change (a line in the server
   * session) can wait on it. An end answers the session's record (undefined when it did not end
   * it); a sweep of idle or silent sessions cut short answers those it ended (before the failure,
   * or late), as a list.
   */
  readonly late?: Promise<unknown>;
  /** When the store is only busy (its answer `Retry-After`): whole seconds to wait before retrying. */
  readonly retryAfterSeconds?: number;

  constructor(message: string, options: { cause?: unknown; late?: Promise<unknown>; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    if (options.late) this.late = options.late;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
