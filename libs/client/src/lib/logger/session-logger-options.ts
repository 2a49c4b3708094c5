import type { SessionInput, SessionMetadata } from '@zen/contract';
import type { HttpOptions } from '../rest/http';

export interface SessionLoggerOptions extends HttpOptions {
  appname: string;
  mode?: string;
  jobid?: string;
  metadata?: SessionMetadata;
  /** The session's id; a new OID by default. An active session with this id is continued. */
  id?: string;
  /** Append to an existing active session only: never create it, never end it (opening checks it may be appended to). */
  attach?: boolean;
  /** The caller created the session already (with these fields): skip the first opening request. */
  alreadyOpen?: boolean;
  /**
   * What to send instead of the fields above when a session with `id` exists already, e.g. only
   * the fields a user gave, so that it keeps its own `appname`, `mode` and `jobid` (its metadata
   * merges). The session is then opened with these first, sent without `appname` (the server
   * needs one to create a session, so they can only update an existing one); when the server
   * answers that the session does not exist (`400`, appname is required), it is created with
   * the fields above. An `appname` given here is sent next, once the session is known to exist.
   * Either way the session's fields are then what the logger creates it with again, should a
   * server without persistence lose it. For the first opening only: not with `alreadyOpen` or
   * `attach`.
   */
  whenExists?: SessionInput;
  /** End the session (`DELETE`) on `close()`; default true unless `attach`. */
  endOnClose?: boolean;
  /** Longest an entry waits before its batch is sent (ms). */
  flushIntervalMs?: number;
  /** Largest request body (UTF-8 bytes); a `413` lowers it to the limit it names, or halves it when it names none. */
  maxBatchBytes?: number;
  maxBatchEntries?: number;
  /** Longer messages are split into several entries (UTF-8 bytes). */
  maxMessageBytes?: number;
  /**
   * Larger `data` (serialised, UTF-8 bytes; default 64 KiB, the contract's) is sent as
   * `{"truncated": true, "bytes": <its size>, "json": "<its JSON, cut to fit>"}`, its entry kept;
   * a `400` that names a smaller `MAX_DATA_BYTES` lowers it.
   */
  maxDataBytes?: number;
  /** Entries held while the server cannot be reached; beyond it the oldest are dropped and counted. */
  maxQueue?: number;
  /** Above this many queued entries (or once a full batch waits) a producer that checks `backlogged` should wait (default: 20,000 or `maxQueue`). */
  highWaterEntries?: number;
  /** A heartbeat is sent after this long without any request (ms; 0: none). */
  heartbeatMs?: number;
  retryInitialMs?: number;
  /** Longest wait between two tries (ms; default 10,000), and never longer than `heartbeatMs`: the tries keep the session alive. */
  retryMaxMs?: number;
  /** Called when sending starts failing (once per outage), e.g. to print one warning. */
  onWarning?: (message: string) => void;
  /**
   * Called when the server refuses something for good: one entry or a metadata update (dropped, the others go on), or
   * the session itself (ended, expired, a token refused: the logger stops, and what it holds or is
   * given later is not sent). `refusal` says which.
   */
  onError?: (error: Error, refusal: SessionRefusal) => void;
  /**
   * Send what is pending when the process is about to exit (default true): in Node as the event
   * loop empties, and when it exits through `process.exit()` or an uncaught exception; in a browser
   * page when it is hidden, and as `keepalive` requests when it is left (`pagehide`: see `PageHook`).
   */
  flushOnExit?: boolean;
  /**
   * Longest the process waits, exiting through `process.exit()` or an uncaught exception, while
   * a `node` child sends what is pending (ms; default 2,000; 0: not sent).
   */
  exitTimeoutMs?: number;
}

export interface SessionLoggerStats {
  /** Entries the server accepted. */
  sent: number;
  /** Entries waiting to be sent, not counting a batch in a request under way (refused, it is queued again in front). */
  queued: number;
  /** Entries dropped because the queue was full. */
  dropped: number;
  /**
   * Entries the server refused: one it answered `400` or `413` for, dropped alone; and, once it
   * refused the session for good (see `onError`), those held then and those logged after.
   */
  rejected: number;
}

/** What a refusal for good (`onError`) cost. */
export interface SessionRefusal {
  /** The session was refused, not one entry or metadata update: the logger sends nothing more. */
  stopped: boolean;
  /** The session had been opened (created or continued) before; false: it never was. */
  opened: boolean;
}
