import { DEFAULT_LIMITS, LogData, LogLevel, Session, SessionInput, SessionMetadata } from '@zen/contract';
import { Backoff } from '../backoff';
import { ApiError, isRetryable } from '../errors';
import { newSessionId } from '../ids';
import { HttpOptions } from '../rest/http';
import { sessionInputOf } from '../rest/sessions-api';
import { SessionsClient } from '../rest/sessions-client';
import { decodeUtf8, splitUtf8, utf8Length } from '../utf8';
import { BatchEncoder, entriesOf } from './batch-encoder';
import { EntryQueue } from './entry-queue';

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
  /** Largest request body (UTF-8 bytes); a `413` halves it. */
  maxBatchBytes?: number;
  maxBatchEntries?: number;
  /** Longer messages are split into several entries (UTF-8 bytes). */
  maxMessageBytes?: number;
  /** Entries held while the server cannot be reached; beyond it the oldest are dropped and counted. */
  maxQueue?: number;
  /** Above this many queued entries (or once a full batch waits) a producer that checks `backlogged` should wait (default: 20,000 or `maxQueue`). */
  highWaterEntries?: number;
  /** A heartbeat is sent after this long without any request (ms; 0: none). */
  heartbeatMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Called when sending starts failing (once per outage), e.g. to print one warning. */
  onWarning?: (message: string) => void;
  /** Called when the server refuses something for good (a rejected entry, an ended session). */
  onError?: (error: Error) => void;
  /** Send what is pending when the process is about to exit normally (Node only; default true). */
  flushOnExit?: boolean;
}

export interface SessionLoggerStats {
  /** Entries the server accepted. */
  sent: number;
  /** Entries waiting. */
  queued: number;
  /** Entries dropped because the queue was full. */
  dropped: number;
  /** Entries the server refused (a 4xx other than 404/409/429). */
  rejected: number;
}

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

/**
 * The message limit a server's `400` names (`... is longer than N bytes (MAX_MESSAGE_BYTES)`),
 * or null when the answer names none: what a sender splits its messages to from then on.
 */
export function namedMessageLimit(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const named = /longer than (\d+) bytes \(MAX_MESSAGE_BYTES\)/.exec(error.message);
  const limit = named ? Number(named[1]) : 0;
  return limit >= 4 ? limit : null;
}

const ATTEMPTS_AT_EXIT = 3;
const FLOWING_QUEUE_LIMIT = 100_000;

/**
 * Feeds one session: `log()` only queues (it never waits for the network); a single pump
 * sends batches in order, retrying with backoff on network errors, 5xx and 429.
 */
export class SessionLogger {
  readonly id: string;
  readonly client: SessionsClient;
  private readonly queue: EntryQueue;
  private readonly backoff: Backoff;
  private fields: SessionInput;
  private whenExists: SessionInput | null;
  private readonly attach: boolean;
  private readonly endOnClose: boolean;
  private readonly flushIntervalMs: number;
  private maxBatchBytes: number;
  private maxBatchEntries: number;
  private batchEntryCap: number;
  private maxMessageBytes: number;
  private readonly heartbeatMs: number;
  private readonly stats_ = { sent: 0, dropped: 0, rejected: 0 };
  private opened = false;
  private pendingUpdate: SessionMetadata | null = null;
  private failure: Error | null = null;
  private failing = false;
  private closing = false;
  /** What `close()` answers, every time it is called. */
  private closed: Promise<void> | null = null;
  /** `close()` is to end the session once everything is sent. */
  private endDue = false;
  private ended = false;
  private pumping: Promise<void> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setTimeout> | null = null;
  private sleeping: { timer: ReturnType<typeof setTimeout>; wake: () => void } | null = null;
  private lastRequestAt = Date.now();
  private heartbeatDue = false;
  /** Entries of a batch refused with 400 still being sent in halves to find the bad one. */
  private isolating = 0;
  private exitAttempts = 0;
  private readonly idle = new Set<() => void>();
  private readonly drainWaiters: (() => void)[] = [];
  private readonly highWater: number;
  private readonly encoder = new BatchEncoder();
  private clock = { ms: 0, iso: '' };
  private readonly onBeforeExit = () => this.flushBeforeExit();

  constructor(private readonly options: SessionLoggerOptions) {
    this.id = options.id?.toLowerCase() ?? newSessionId();
    this.client = new SessionsClient(options);
    this.attach = options.attach ?? false;
    this.endOnClose = options.endOnClose ?? !this.attach;
    this.opened = options.alreadyOpen ?? false;
    this.fields = { appname: options.appname, mode: options.mode, jobid: options.jobid, metadata: options.metadata };
    this.whenExists = this.opened || this.attach ? null : (options.whenExists ?? null);
    this.queue = new EntryQueue(options.maxQueue ?? 100_000);
    this.backoff = new Backoff({ initialMs: options.retryInitialMs ?? 250, maxMs: options.retryMaxMs ?? 10_000 });
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    // Leave room below the body limit for the envelope and a rounding of the estimate.
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_LIMITS.maxBodyBytes - 1024;
    this.maxBatchEntries = options.maxBatchEntries ?? 50_000;
    this.batchEntryCap = this.maxBatchEntries;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_LIMITS.messageMaxBytes;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.highWater = Math.min(options.highWaterEntries ?? 20_000, this.queue.capacity);
    this.setFailing(false);
    if (this.heartbeatMs > 0) this.armHeartbeat();
    const proc = nodeProcess();
    if (proc && (options.flushOnExit ?? true)) proc.on('beforeExit', this.onBeforeExit);
    this.kick();
  }

  /** The dashboard's page for this session. */
  get dashboardUrl(): string {
    return this.client.dashboardUrl(this.id);
  }

  get stats(): SessionLoggerStats {
    return { ...this.stats_, dropped: this.stats_.dropped + this.queue.dropped, queued: this.queue.length };
  }

  /** Queues one entry (split into several when longer than the message limit); never blocks. */
  log(level: LogLevel, message: string, data?: LogData): void {
    this.enqueue(this.now(), level, message, data);
  }

  /** Queues an entry with its own time (another logger's, or when its line arrived), when given; split like `log()`. */
  append(entry: { level: LogLevel; message: string; data?: LogData; time?: string }): void {
    this.enqueue(entry.time ?? this.now(), entry.level, entry.message, entry.data);
  }

  /**
   * Queues an entry whose message is UTF-8 bytes, `bytes[start..end)` (a line read from a pipe):
   * written into the queue from the bytes, escaped where JSON needs it, with no string made.
   * Bytes that are not valid UTF-8 (decoded with U+FFFD for invalid sequences), and lines longer
   * than the message limit (split), are queued as `log()` does. The bytes are not kept.
   */
  appendBytes(level: LogLevel, bytes: Uint8Array, start: number, end: number, data?: LogData, time?: string): void {
    if (this.ended) return;
    const at = time ?? this.now();
    if (end - start <= this.maxMessageBytes && this.queue.pushBytes(at, level, bytes, start, end, data)) {
      this.scheduleSend();
    } else {
      this.enqueue(at, level, decodeUtf8(bytes, start, end), data);
    }
  }

  debug(message: string, data?: LogData): void {
    this.log('debug', message, data);
  }
  info(message: string, data?: LogData): void {
    this.log('info', message, data);
  }
  warn(message: string, data?: LogData): void {
    this.log('warn', message, data);
  }
  error(message: string, data?: LogData): void {
    this.log('error', message, data);
  }

  /**
   * True while a full batch, or more entries than the high-water mark, wait and the server is
   * taking them: a producer that can slow down (a pipe) should wait for `drained()`, rather than
   * have the oldest entries dropped. While the server cannot be reached it is false: nothing
   * waits on it. One full batch waiting is enough to keep the server busy; a deeper queue only
   * costs the producer (for `run`'s 1,000,000 lines, waiting at 20,000 entries, 2.6 MB, instead
   * of one batch cost the wrapper ~0.2 s more CPU and nearly twice the page faults).
   */
  get backlogged(): boolean {
    return (
      !this.failing &&
      !this.failure &&
      !this.ended &&
      (this.queue.length >= this.highWater || this.queue.bytes >= this.maxBatchBytes)
    );
  }

  /** Resolves when `backlogged` is false. */
  drained(): Promise<void> {
    if (!this.backlogged) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Merges keys into the session's metadata (sent with the next request round). */
  updateMetadata(metadata: SessionMetadata): void {
    this.pendingUpdate = { ...this.pendingUpdate, ...metadata };
    this.kick();
  }

  /** Resolves when everything logged so far has been sent (or rejects on a refusal for good / the timeout). */
  flush(timeoutMs = Infinity): Promise<void> {
    return this.waitIdle(timeoutMs);
  }

  /**
   * Sends what is pending, then ends the session (unless attached); stops the logger. The end is
   * retried as every request is, within the same `timeoutMs`. Called again, the first call's outcome.
   */
  close(timeoutMs = Infinity): Promise<void> {
    this.closed ??= this.closeOnce(timeoutMs);
    return this.closed;
  }

  private async closeOnce(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.endDue = this.endOnClose;
    try {
      await this.waitIdle(timeoutMs);
    } finally {
      this.stop();
    }
  }

  /** Whether the session is known to exist on the server. */
  get isOpen(): boolean {
    return this.opened;
  }

  private stop(): void {
    this.ended = true;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    nodeProcess()?.off('beforeExit', this.onBeforeExit);
    this.wakeUp();
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    // Nothing is sent from now on: whoever waits for a flush hears so now, not never.
    this.settle();
  }

  private enqueue(time: string, level: LogLevel, message: string, data: LogData | undefined): void {
    if (this.ended) return;
    // Only long strings can exceed the limit: a UTF-16 unit is at most 3 UTF-8 bytes.
    if (message.length * 3 > this.maxMessageBytes) {
      for (const piece of splitUtf8(message, this.maxMessageBytes)) this.queue.push(time, level, piece, data);
    } else {
      this.queue.push(time, level, message, data);
    }
    this.scheduleSend();
  }

  private scheduleSend(): void {
    if (!this.batchNotFull()) {
      this.kick();
    } else if (!this.flushTimer && !this.pumping) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.kick();
      }, this.flushIntervalMs);
      unref(this.flushTimer);
    }
  }

  private hasWork(): boolean {
    return (
      !this.failure &&
      (!this.opened ||
        this.pendingUpdate !== null ||
        this.heartbeatDue ||
        this.endDue ||
        this.queue.length > 0 ||
        this.queue.dropped > 0)
    );
  }

  /** Starts the pump unless it runs. */
  private kick(): void {
    if (this.pumping || this.ended) return;
    if (!this.hasWork()) return this.settle();
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.hasWork() && !this.ended) this.scheduleSend();
      else this.settle();
    });
  }

  private async pump(): Promise<void> {
    while (this.hasWork() && !this.ended) {
      try {
        await this.step();
        if (this.failing) this.setFailing(false);
        this.backoff.reset();
        this.releaseDrainWaiters();
      } catch (error) {
        if (this.ended) return;
        if (!isRetryable(error)) {
          this.refused(error as Error);
          continue;
        }
        if (!this.failing) {
          this.setFailing(true);
          this.releaseDrainWaiters();
          this.options.onWarning?.(
            `${(error as Error).message}; holding entries (up to ${this.queue.capacity}) and retrying`,
          );
        }
        await this.sleep(this.backoff.next((error as ApiError).retryAfterMs ?? 0));
      }
      // While output flows, wait for a fuller batch rather than sending a few entries at a time.
      if (this.closing || this.idle.size > 0 || !this.opened || this.pendingUpdate || this.queue.dropped) continue;
      if (this.batchNotFull()) return;
    }
  }

  /**
   * `maxQueue` bounds what is held while the server cannot be reached. While it takes entries,
   * a producer that honours `backlogged` still hands over a whole chunk at a time, so the
   * bound is looser then (and the oldest are only dropped past it).
   */
  private setFailing(failing: boolean): void {
    this.failing = failing;
    this.queue.limit = failing ? this.queue.capacity : Math.max(this.queue.capacity, FLOWING_QUEUE_LIMIT);
    this.queue.trim();
  }

  private releaseDrainWaiters(): void {
    if (this.backlogged) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** The time as an ISO string, made once per millisecond. */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.clock.ms) this.clock = { ms, iso: new Date(ms).toISOString() };
    return this.clock.iso;
  }

  /**
   * Whether to wait for more entries before sending. Not once a batch is full, nor once the
   * queue is backlogged: a producer waiting on `drained()` adds nothing until a batch goes out.
   */
  private batchNotFull(): boolean {
    return (
      this.queue.bytes < this.maxBatchBytes &&
      this.queue.length < this.batchEntryCap &&
      this.queue.length < this.highWater
    );
  }

  /** One request: open the session, send the metadata update, a heartbeat or a batch. */
  private async step(): Promise<void> {
    if (!this.opened) return this.open();
    if (this.pendingUpdate) {
      const metadata = this.pendingUpdate;
      await this.request(() => this.client.sessions.upsert(this.id, { metadata }));
      if (this.pendingUpdate === metadata) this.pendingUpdate = null;
      return;
    }
    const dropped = this.queue.takeDropped();
    if (dropped > 0) {
      this.stats_.dropped += dropped;
      this.queue.unshiftReport({
        time: new Date().toISOString(),
        level: 'warn',
        message: `${dropped} log entries were dropped while the server could not be reached (the queue holds ${this.queue.capacity})`,
      });
    }
    if (this.queue.length === 0 && this.endDue) return this.end();
    if (this.queue.length === 0) {
      this.heartbeatDue = false;
      await this.request(() => this.client.sessions.heartbeat(this.id));
      return;
    }
    const { count, body } = this.encoder.encode(this.queue, this.batchEntryCap, this.maxBatchBytes);
    const sizes = this.queue.take(count);
    // The producer fills the next batch while this one is out (should it fail, it comes back in front).
    this.releaseDrainWaiters();
    try {
      await this.request(() => this.client.http.json({ method: 'POST', path: `/sessions/${this.id}/log`, json: body }));
      this.stats_.sent += count;
      this.isolating = Math.max(0, this.isolating - count);
      if (this.isolating === 0) this.batchEntryCap = Math.min(this.batchEntryCap * 2, this.maxBatchEntries);
    } catch (error) {
      let run = entriesOf(body);
      if (dropped > 0 && isRetryable(error)) {
        // The report leads this batch. Put back, it would be the first entry a full queue drops
        // (counted as one more): it goes back as its count, and is made again with whatever is
        // dropped meanwhile once sending works.
        this.stats_.dropped -= dropped;
        this.queue.countDropped(dropped);
        run = run.subarray(sizes.shift() as number);
      }
      this.queue.putBack(run, sizes);
      // A server with a smaller message limit names it: split what is queued to fit, rather than lose it.
      if (this.fitMessageLimit(error)) return;
      if (this.fitBatchLimit(error, count)) return;
      // One entry alone is more than the server's body limit (a MAX_BODY_BYTES below its message limit).
      if (error instanceof ApiError && error.status === 413 && count === 1 && this.fitBodyLimit()) return;
      if (error instanceof ApiError && (error.status === 400 || error.status === 413) && count > 1) {
        // Too big for this server, or one bad entry: send smaller batches to isolate it.
        if (error.status === 413) this.maxBatchBytes = Math.max(1024, Math.floor(this.maxBatchBytes / 2));
        this.batchEntryCap = Math.ceil(count / 2);
        this.isolating = Math.max(this.isolating, count);
        return;
      }
      if (error instanceof ApiError && (error.status === 400 || (error.status === 413 && count === 1))) {
        this.queue.take(1);
        this.isolating = Math.max(0, this.isolating - 1);
        this.stats_.rejected++;
        this.options.onError?.(error);
        return;
      }
      throw error;
    }
  }

  /**
   * A `400` naming the server's message limit (`... is longer than N bytes (MAX_MESSAGE_BYTES)`):
   * from now on messages are split to N bytes, and so is every entry already queued (those
   * queued at the old size too). False when the answer names no limit or nothing was too long.
   */
  private fitMessageLimit(error: unknown): boolean {
    const limit = namedMessageLimit(error);
    if (limit === null) return false;
    this.maxMessageBytes = Math.min(this.maxMessageBytes, limit);
    return this.queue.splitLongerThan(this.maxMessageBytes) > 0;
  }

  /**
   * A `413` naming the server's MAX_BATCH_ENTRIES or MAX_BODY_BYTES, for a batch of several
   * entries: batches keep within it from now on. Halving them instead (what a `413` that names
   * nothing, a proxy's, gets) made a server with a small MAX_BATCH_ENTRIES answer every third
   * batch with a `413`: the entry cap grows back after each success, and each `413` halved the
   * byte limit again, down to 1 KiB.
   */
  private fitBatchLimit(error: unknown, count: number): boolean {
    if (!(error instanceof ApiError) || error.status !== 413 || count < 2) return false;
    const entries = namedLimit(error, /at most (\d+) are allowed \(MAX_BATCH_ENTRIES\)/);
    if (entries !== null && entries >= 1 && entries < count) {
      this.maxBatchEntries = this.batchEntryCap = Math.min(this.maxBatchEntries, entries);
      return true;
    }
    const bytes = namedLimit(error, /larger than (\d+) bytes \(MAX_BODY_BYTES\)/);
    if (bytes !== null && bytes >= 1024 && bytes < this.maxBatchBytes) {
      this.maxBatchBytes = bytes;
      return true;
    }
    return false;
  }

  /**
   * A `413` for a batch of one entry: from now on messages are split to half the refused one's
   * size, and so is every entry queued, until the body fits. False once it is too short to split
   * (a few bytes, or a large `data`): it is then dropped and counted, as a `400` drops one.
   */
  private fitBodyLimit(): boolean {
    const [first] = this.queue.entries();
    const size = first ? utf8Length(first.message) : 0;
    if (size <= 4) return false;
    this.maxMessageBytes = Math.min(this.maxMessageBytes, Math.max(4, Math.floor(size / 2)));
    return this.queue.splitLongerThan(this.maxMessageBytes) > 0;
  }

  /**
   * Creates the session (or merges its fields into the active one), or, attached, checks it is
   * active and may be appended to: a heartbeat, refused as an append would be (the server's own
   * session: `403`), so a session that cannot be fed is known even when nothing is logged.
   */
  private async open(): Promise<void> {
    let session: Session;
    if (this.attach) {
      session = await this.client.sessions.get(this.id);
      if (session.status === 'ended') throw new ApiError(409, `session ${this.id} has ended`);
      await this.client.sessions.heartbeat(this.id);
    } else {
      const update = this.pendingUpdate;
      session = this.whenExists
        ? await this.continueOrCreate(this.whenExists, update)
        : await this.client.sessions.upsert(this.id, withMetadata(this.fields, update));
      // Keys merged while the request was out go in the next round.
      if (this.pendingUpdate === update) this.pendingUpdate = null;
    }
    this.lastRequestAt = Date.now();
    this.opened = true;
  }

  /**
   * Opens a session that may exist (`whenExists`): sends `continued` without its `appname`, which
   * only updates an existing session; creates the session with `fields` when the server answers
   * that it does not exist. A retry after a network error starts over (each request merges or
   * sets the same values), unless the session is known not to exist by then.
   */
  private async continueOrCreate(continued: SessionInput, update: SessionMetadata | null): Promise<Session> {
    const { appname, ...rest } = continued;
    let session: Session;
    try {
      session = await this.client.sessions.upsert(this.id, withMetadata(rest, update));
    } catch (error) {
      if (!isCreateWithoutAppname(error)) throw error;
      // It does not exist: from now on (a retry too) it is created with the full fields.
      this.whenExists = null;
      return this.client.sessions.upsert(this.id, withMetadata(this.fields, update));
    }
    if (appname != null) session = await this.client.sessions.upsert(this.id, { appname });
    this.whenExists = null;
    // A server that loses the session creates it again as it was, not with the defaults.
    this.fields = sessionInputOf(session);
    return session;
  }

  /** Ends the session, the last request. A `404`: a server without persistence lost it, nothing to end. */
  private async end(): Promise<void> {
    try {
      await this.client.sessions.end(this.id);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    this.endDue = false;
  }

  /**
   * Sends. A `404`, or a `POST /sessions/{id}` without `appname` (a heartbeat, a metadata
   * update) refused as a create, says the session does not exist.
   */
  private async request<T>(send: () => Promise<T>): Promise<T> {
    try {
      const result = await send();
      this.lastRequestAt = Date.now();
      return result;
    } catch (error) {
      const vanished =
        error instanceof ApiError && (error.status === 404 || isCreateWithoutAppname(error)) && !this.attach;
      if (!vanished) throw error;
      // A server without persistence restarted: create the session again, and retry.
      this.opened = false;
      throw new ApiError(503, error.message, error.body, 0);
    }
  }

  /** A refusal for good: an entry is dropped (400, handled above), or the session cannot be fed at all. */
  private refused(error: Error): void {
    this.failure = error;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    this.stats_.rejected += this.queue.length;
    this.queue.clear();
    this.options.onError?.(error);
  }

  /**
   * Wakes when `heartbeatMs` will have passed since the last request, not on a fixed tick: a
   * tick of its own would send heartbeats up to a tick late, and a SESSIONS_TIMEOUT_S as short
   * as the heartbeat could then expire the session.
   */
  private armHeartbeat(): void {
    const untilDue = this.lastRequestAt + this.heartbeatMs - Date.now();
    this.heartbeatTimer = setTimeout(() => this.heartbeatIfIdle(), untilDue > 0 ? untilDue : this.heartbeatMs);
    unref(this.heartbeatTimer);
  }

  private heartbeatIfIdle(): void {
    if (
      this.opened &&
      !this.pumping &&
      this.queue.length === 0 &&
      Date.now() - this.lastRequestAt >= this.heartbeatMs
    ) {
      this.heartbeatDue = true;
      this.kick();
    }
    if (!this.ended) this.armHeartbeat();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      // A waiting flush()/close() keeps the process alive; a background retry does not.
      if (this.idle.size === 0) unref(timer);
      this.sleeping = { timer, wake };
    });
  }

  private wakeUp(): void {
    this.sleeping?.wake();
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended && this.hasWork()) return Promise.reject(new SessionLoggerClosedError(this.queue.length));
    if (this.ended || (!this.hasWork() && !this.pumping)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      // Hold the process open while someone waits, even when the pending retry timer is unref'd.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      if (this.sleeping) ref(this.sleeping.timer);
      const deadline =
        timeoutMs === Infinity
          ? null
          : setTimeout(() => {
              done();
              reject(new FlushTimeoutError(this.queue.length, timeoutMs));
            }, timeoutMs);
      const done = () => {
        clearInterval(keepAlive);
        if (deadline) clearTimeout(deadline);
        this.idle.delete(onIdle);
      };
      const onIdle = () => {
        done();
        if (this.failure) reject(this.failure);
        else if (this.hasWork()) reject(new SessionLoggerClosedError(this.queue.length));
        else resolve();
      };
      this.idle.add(onIdle);
      if (!this.pumping) this.kick();
      else this.wakeUp();
    });
  }

  private settle(): void {
    if (this.hasWork() && !this.failure && !this.ended) return;
    for (const resolve of [...this.idle]) resolve();
  }

  /** 'beforeExit': the event loop emptied with entries pending; try a few times, then let the process go. */
  private flushBeforeExit(): void {
    if (!this.hasWork() || this.exitAttempts >= ATTEMPTS_AT_EXIT) return;
    this.exitAttempts++;
    this.closing = true;
    if (this.pumping) this.wakeUp();
    else this.kick();
  }
}

/** The number a server's error message names where `pattern`'s group is, or null. */
function namedLimit(error: ApiError, pattern: RegExp): number | null {
  const named = pattern.exec(error.message);
  return named ? Number(named[1]) : null;
}

/** The fields with `update`'s keys merged into their metadata. */
function withMetadata(fields: SessionInput, update: SessionMetadata | null): SessionInput {
  return { ...fields, metadata: { ...fields.metadata, ...update } };
}

/** The server's answer to a `POST /sessions/{id}` without `appname` for a session that does not exist. */
function isCreateWithoutAppname(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && /appname is required/.test(error.message);
}

/** Opens a session and returns its logger (see `SessionLoggerOptions`). */
export function createSessionLogger(options: SessionLoggerOptions): SessionLogger {
  return new SessionLogger(options);
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Node's timers have `ref()`; a browser's are numbers. */
function ref(timer: unknown): void {
  (timer as { ref?: () => void }).ref?.();
}

interface ProcessLike {
  on(event: 'beforeExit', listener: () => void): void;
  off(event: 'beforeExit', listener: () => void): void;
}

function nodeProcess(): ProcessLike | null {
  const proc = (globalThis as { process?: Partial<ProcessLike> }).process;
  return proc && typeof proc.on === 'function' && typeof proc.off === 'function' ? (proc as ProcessLike) : null;
}

/** "1 log entry", "2 log entries": how a count of entries reads in a message. */
function logEntries(count: number): string {
  return `${count} log ${count === 1 ? 'entry' : 'entries'}`;
}
