import { ENTRY_TIME_PATTERN, type LogData, type LogLevel, type SessionMetadata } from '@zen/contract';
import { Backoff } from '../backoff';
import { abortedBy } from './aborted-by';
import { ApiError, isRetryable } from '../errors';
import { newSessionId } from '../ids';
import type { PreparedRequest } from '../rest/http';
import { appendJsonRequest } from '../rest/logs-api';
import { sessionRequests } from '../rest/sessions-api';
import { SessionsClient } from '../rest/sessions-client';
import { decodeUtf8, splitUtf8 } from '../utf8';
import { BatchEncoder, entriesOf } from './batch-encoder';
import { BatchLimits } from './batch-limits';
import { EntryJsonWriter, utf8Writer } from './entry-json';
import { EntryQueue } from './entry-queue';
import { ExitHook } from './exit-hook';
import { bodyBytes, browserPage, keepaliveFetch, PageHook } from './page-exit';
import { HeartbeatTimer } from './heartbeat-timer';
import { IdleWaiters } from './idle-waiters';
import { LEVELS, levelOf } from './level-names';
import { messageText } from './message-text';
import { jsonSafe } from './safe-json';
import { isCreateWithoutAppname } from '../server-answers';
import { FlushTimeoutError, SessionLoggerClosedError } from './session-logger-errors';
import type { SessionLoggerOptions, SessionLoggerStats } from './session-logger-options';
import { SessionOpener } from './session-opener';
import { RetrySleep } from './retry-sleep';
import { timerMs, unref } from './timers';

/** Room a batch's body needs for the report of dropped entries at its front (~250 bytes of JSON). */
const REPORT_ROOM_BYTES = 1024;

export { FlushTimeoutError, SessionLoggerClosedError } from './session-logger-errors';
export type { SessionLoggerOptions, SessionLoggerStats, SessionRefusal } from './session-logger-options';

/** Longest a retry's wait keeps an exiting process alive (see `flushBeforeExit`; three at most). */
const EXIT_RETRY_WAIT_MS = 2_000;

/** Longest a process exiting through `process.exit()` or an uncaught exception waits for its last requests. */
const EXIT_TIMEOUT_MS = 2_000;

/** While the server takes entries, the queue may hold this many (see `setFailing`). */
const FLOWING_QUEUE_LIMIT = 100_000;

/**
 * Feeds one session: `log()` only queues (it never waits for the network); a single pump
 * sends batches in order, retrying with backoff on network errors, 5xx and 429.
 */
export class SessionLogger {
  readonly id: string;
  readonly client: SessionsClient;
  /** The logger's own requests: aborted once it stops (see `stop`), unlike those made through `client`. */
  private readonly sender: SessionsClient;
  private readonly stopping = new AbortController();
  private readonly queue: EntryQueue;
  private readonly backoff: Backoff;
  private readonly opener: SessionOpener;
  private readonly limits: BatchLimits;
  private readonly attach: boolean;
  private readonly endOnClose: boolean;
  private readonly flushIntervalMs: number;
  private readonly stats_ = { sent: 0, dropped: 0, rejected: 0 };
  /** Entries the server accepted, not counting the reports of dropped ones (see `retired`). */
  private sentEntries = 0;
  /** Entries more than were logged, made by splitting queued ones to a smaller limit (see `retired`). */
  private splitPieces = 0;
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
  /** Entries of the batch whose request is out (taken from the queue; put back in front if it fails). */
  private inFlight = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly heartbeat: HeartbeatTimer;
  private readonly retrySleep = new RetrySleep();
  private heartbeatDue = false;
  /** The pump waits out the server's Retry-After before its next try. */
  private waitingOut = false;
  /** A heartbeat sent beside that wait is out (see beatWhileWaitingOut). */
  private beating = false;
  private readonly exitHook: ExitHook | null;
  private readonly pageHook: PageHook | null;
  private readonly idle = new IdleWaiters();
  private readonly drainWaiters: (() => void)[] = [];
  private readonly highWater: number;
  private readonly encoder = new BatchEncoder();
  private clock = { ms: 0, iso: '' };
  /** The last entry time found to be the contract's (see `timeOf`). */
  private checkedTime: string | null = null;

  constructor(private readonly options: SessionLoggerOptions) {
    this.id = options.id?.toLowerCase() ?? newSessionId();
    this.client = new SessionsClient(options);
    const flushOnExit = options.flushOnExit ?? true;
    const send: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // In a browser page, the logger's requests outlive the page (see PageHook).
    const pageSend = flushOnExit && browserPage() ? keepaliveFetch(send) : send;
    this.sender = new SessionsClient({ ...options, fetch: abortedBy(this.stopping.signal, pageSend) });
    this.attach = options.attach ?? false;
    this.endOnClose = options.endOnClose ?? !this.attach;
    this.opened = options.alreadyOpen ?? false;
    this.opener = new SessionOpener(this.sender, this.id, options);
    this.limits = new BatchLimits(options);
    const json = new EntryJsonWriter(utf8Writer(), this.limits.maxDataBytes);
    this.queue = new EntryQueue(options.maxQueue ?? 100_000, json);
    const heartbeatMs = options.heartbeatMs ?? 5_000;
    // A retry is what keeps the session alive while the server cannot take anything: waiting longer
    // than a heartbeat, the logger would be silent past the grace a server gives sessions once its
    // store is back (SESSIONS_TIMEOUT_S), and find its session expired.
    const retryMaxMs = Math.min(options.retryMaxMs ?? 10_000, heartbeatMs > 0 ? heartbeatMs : Infinity);
    this.backoff = new Backoff({ initialMs: options.retryInitialMs ?? 250, maxMs: retryMaxMs });
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.highWater = Math.min(options.highWaterEntries ?? 20_000, this.queue.capacity);
    this.setFailing(false);
    this.heartbeat = new HeartbeatTimer(heartbeatMs, () => this.heartbeatIfIdle());
    this.heartbeat.start();
    this.exitHook = flushOnExit
      ? new ExitHook({
          pending: () => this.hasWork(),
          flush: () => this.flushBeforeExit(),
          lastRequests: () => this.lastRequests(),
          lastChanceMs: options.exitTimeoutMs ?? EXIT_TIMEOUT_MS,
        })
      : null;
    this.pageHook = flushOnExit
      ? PageHook.attach({
          hidden: () => this.sendNow(),
          lastRequests: (maxBytes) => this.lastRequests(maxBytes),
          fetch: send,
        })
      : null;
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
    this.enqueue(this.timeOf(entry.time), entry.level, entry.message, entry.data);
  }

  /**
   * Queues an entry whose message is UTF-8 bytes, `bytes[start..end)` (a line read from a pipe):
   * written into the queue from the bytes, escaped where JSON needs it, with no string made.
   * Bytes that are not valid UTF-8 (decoded with U+FFFD for invalid sequences), and lines longer
   * than the message limit (split), are queued as `log()` does. The bytes are not kept.
   */
  appendBytes(level: LogLevel, bytes: Uint8Array, start: number, end: number, data?: LogData, time?: string): void {
    if (!this.admit()) return;
    const at = this.timeOf(time);
    data = this.dataObject(data);
    if (!LEVELS.has(level)) level = levelOf(level);
    if (end - start <= this.limits.maxMessageBytes && this.queue.pushBytes(at, level, bytes, start, end, data)) {
      this.scheduleSend();
    } else {
      this.queueText(at, level, decodeUtf8(bytes, start, end), data);
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
      (this.queue.length >= this.highWater || this.queue.bytes >= this.limits.maxBatchBytes)
    );
  }

  /** Resolves when `backlogged` is false. */
  drained(): Promise<void> {
    if (!this.backlogged) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Merges keys into the session's metadata (sent with the next request round). */
  updateMetadata(metadata: SessionMetadata): void {
    this.pendingUpdate = { ...this.pendingUpdate, ...jsonSafe(metadata) };
    this.kick();
  }

  /**
   * Resolves when everything logged so far has been sent (or rejects on a refusal for good / the
   * timeout), though more may be logged meanwhile: a producer that goes on logging does not hold it.
   */
  flush(timeoutMs = Infinity): Promise<void> {
    // The queue is first in, first out: once as many entries as are unsent now have left it (sent,
    // or dropped and reported, or refused), those logged so far have.
    const mark = this.retired() + this.unsent();
    const update = this.pendingUpdate;
    const sent = () => this.opened && (update === null || this.pendingUpdate === null) && this.retired() >= mark;
    return this.waitIdle(timeoutMs, sent);
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
    this.heartbeat.stop();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.exitHook?.remove();
    this.pageHook?.remove();
    this.retrySleep.wake();
    // A request still out (a server that never answers) must not hold the process until its timeout.
    this.stopping.abort(new SessionLoggerClosedError(this.unsent()));
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    // Nothing is sent from now on: whoever waits for a flush hears so now, not never.
    this.settle();
  }

  /**
   * Takes in the entry being logged, or not: not after close() (ignored), nor after a refusal for
   * good, when nothing would send it: it is then counted as rejected at once rather than held in
   * the queue (up to its capacity) for ever. Called once per entry.
   */
  private admit(): boolean {
    if (this.ended) return false;
    if (!this.failure) return true;
    this.stats_.rejected++;
    return false;
  }

  /**
   * The server takes only an object as `data`: a value that is not one (plain JavaScript,
   * `log.info('user', 42)`) would have the whole entry refused; it goes in `{ value }` instead.
   */
  private dataObject(data: LogData | undefined): LogData | undefined {
    if (data === undefined || data === null) return undefined;
    return typeof data === 'object' && !Array.isArray(data) ? data : { value: data };
  }

  private enqueue(time: string, level: LogLevel, message: string, data: LogData | undefined): void {
    // Plain JavaScript may pass anything as the message: written as text, never thrown at the caller.
    if (!this.admit()) return;
    if (!LEVELS.has(level)) level = levelOf(level);
    this.queueText(time, level, typeof message === 'string' ? message : messageText(message), this.dataObject(data));
  }

  /** Queues an admitted entry, split into pieces within the message limit. */
  private queueText(time: string, level: LogLevel, message: string, data: LogData | undefined): void {
    // Only long strings can exceed the limit: a UTF-16 unit is at most 3 UTF-8 bytes.
    const limit = this.limits.maxMessageBytes;
    if (message.length * 3 > limit) {
      for (const piece of splitUtf8(message, limit)) this.queue.push(time, level, piece, data);
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
      }, timerMs(this.flushIntervalMs));
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
        this.idle.settleReached();
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
        // A waiting flush()/close() keeps the process alive; a background retry does not.
        const retryAfterMs = (error as ApiError).retryAfterMs ?? 0;
        const wait = this.backoff.next(retryAfterMs);
        // The server's Retry-After may be longer than the session outlives silence (a rate limit's
        // debt): heartbeats go on meanwhile (see heartbeatIfIdle).
        this.waitingOut = retryAfterMs > 0;
        try {
          await this.retrySleep.sleep(wait, !this.idle.waiting);
        } finally {
          this.waitingOut = false;
        }
      }
      // While output flows, wait for a fuller batch rather than sending a few entries at a time.
      if (this.closing || this.idle.waiting || !this.opened || this.pendingUpdate || this.queue.dropped) continue;
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

  /**
   * An entry's own time as the contract takes it (a full ISO-8601 date-time with a zone), else
   * the server would refuse the entry and it would be dropped: a `Date`, epoch milliseconds or a
   * string `Date` reads (plain JavaScript) as its ISO string; anything else, or none, is now.
   */
  private timeOf(time: unknown): string {
    if (time === undefined || time === null) return this.now();
    // Lines of one chunk share their time (`zen-sessions run`): checked once.
    if (time === this.checkedTime) return this.checkedTime;
    if (typeof time === 'string' && ENTRY_TIME_PATTERN.test(time) && !Number.isNaN(Date.parse(time))) {
      return (this.checkedTime = time);
    }
    const date =
      time instanceof Date ? time : typeof time === 'string' || typeof time === 'number' ? new Date(time) : null;
    // A year past 9999 or before 0 (epoch microseconds taken for milliseconds) is written `+058897-…`,
    // which the contract's form is not.
    const iso = date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
    return iso !== null && ENTRY_TIME_PATTERN.test(iso) ? iso : this.now();
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
      this.queue.bytes < this.limits.maxBatchBytes &&
      this.queue.length < this.limits.entryCap &&
      this.queue.length < this.highWater
    );
  }

  /** One request: open the session, or send the metadata update, a batch, the end or a heartbeat. */
  private async step(): Promise<void> {
    if (!this.opened) return this.open();
    if (this.pendingUpdate) return this.sendMetadata(this.pendingUpdate);
    const dropped = this.reportDropped();
    if (this.queue.length > 0) return this.sendBatch(dropped);
    if (this.endDue) return this.end();
    this.heartbeatDue = false;
    await this.request(() => this.sender.sessions.heartbeat(this.id));
  }

  private async sendMetadata(metadata: SessionMetadata): Promise<void> {
    try {
      await this.request(() => this.sender.sessions.upsert(this.id, { metadata }));
    } catch (error) {
      // Metadata the server will not take (a key too long, too many keys, too large): the update is
      // dropped and told, as a refused entry is; the session and its entries go on.
      if (!(error instanceof ApiError && (error.status === 400 || error.status === 413))) throw error;
      if (this.pendingUpdate === metadata) this.pendingUpdate = null;
      this.options.onError?.(error, { stopped: false, opened: true });
      return;
    }
    // Keys merged while the request was out go in the next round.
    if (this.pendingUpdate === metadata) this.pendingUpdate = null;
  }

  /**
   * Entries the full queue dropped since the last report: counted, and reported to the session
   * in a `warn` entry at the front of the queue. How many, or 0.
   */
  private reportDropped(): number {
    const dropped = this.queue.takeDropped();
    if (dropped > 0) {
      this.stats_.dropped += dropped;
      const message = `${dropped} log entries were dropped while the server was not taking them (away or refusing with 503/429; the queue holds ${this.queue.capacity})`;
      // Cut to a server's message limit below it (ASCII: a character is a byte), never split: see `sendBatch`.
      this.queue.unshiftReport({
        time: new Date().toISOString(),
        level: 'warn',
        message: message.slice(0, this.limits.maxMessageBytes),
      });
    }
    return dropped;
  }

  /**
   * Sends the batch at the front of the queue (led by the report of `dropped` entries, when not 0).
   * Refused, it goes back in front, and the batch limits decide what comes next (`batchRefused`).
   */
  private async sendBatch(dropped: number): Promise<void> {
    const { count, body } = this.encoder.encode(this.queue, this.limits.entryCap, this.limits.maxBatchBytes);
    const sizes = this.queue.take(count);
    // The report of dropped entries that leads it is not one of them.
    this.inFlight = dropped > 0 ? count - 1 : count;
    // The producer fills the next batch while this one is out (should it fail, it comes back in front).
    this.releaseDrainWaiters();
    try {
      await this.request(() => this.sender.logs.appendJson(this.id, body));
      this.batchSent(count);
    } catch (error) {
      // Not in flight before it goes back in the queue (not in a `finally`): it would be counted
      // twice by `unsent()` meanwhile, and `onError` below may read it.
      this.inFlight = 0;
      this.batchRefused(error, { count, body, sizes, dropped });
    }
  }

  /** The batch out (`count` entries, its report of dropped ones included) was taken by the server. */
  private batchSent(count: number): void {
    this.sentEntries += this.inFlight;
    this.inFlight = 0;
    this.stats_.sent += count;
    this.limits.sent(count);
  }

  /**
   * The server refused the batch: it goes back in front of the queue, and the batch limits decide
   * what comes next: send it again (whole, or split), drop its first entry (told), or stop (thrown).
   */
  private batchRefused(
    error: unknown,
    { count, body, sizes, dropped }: { count: number; body: Uint8Array; sizes: number[]; dropped: number },
  ): void {
    let run = entriesOf(body);
    if (dropped > 0) {
      // The report leads this batch. Put back, it would pass for a logged entry: the first a full
      // queue drops (counted as one more), or, in a batch sent again after a `400`, one sent (and
      // `flush()` would resolve an entry early). It goes back as its count, made again to lead the
      // next batch with whatever is dropped meanwhile.
      if (count === 1 && !isRetryable(error) && !this.limits.learnMessageLimit(error)) {
        return this.reportRefused(error as Error);
      }
      this.stats_.dropped -= dropped;
      this.queue.countDropped(dropped);
      run = run.subarray(sizes.shift() as number);
    }
    this.queue.putBack(run, sizes);
    const queued = this.queue.length;
    const next = this.limits.refused(error, count, this.queue);
    this.splitPieces += Math.max(0, this.queue.length - queued);
    if (next === 'send again') return;
    if (next === 'drop the first') {
      this.queue.take(1);
      this.stats_.rejected++;
      this.options.onError?.(error as Error, { stopped: false, opened: true });
      return;
    }
    throw error;
  }

  /**
   * The report of dropped entries, sent alone, was refused for good (a server whose body limit is
   * below it, not a message limit it can be cut to): it is given up, and told, as a refused entry is; the entries stay counted as dropped.
   */
  private reportRefused(error: Error): void {
    this.options.onError?.(error, { stopped: false, opened: true });
  }

  /**
   * Opens the session (see `SessionOpener`) with the metadata keys merged meanwhile; keys merged
   * while the request was out go in the next round. Metadata refused is left out (see
   * `SessionOpener.leaveOutMetadata`): the session is opened again without it.
   */
  private async open(): Promise<void> {
    const update = this.pendingUpdate;
    let sent: boolean;
    try {
      sent = await this.opener.open(update);
    } catch (error) {
      // Metadata the server will not take: told and dropped, as a refused update is, and the
      // session opened without it (the next step), rather than every entry lost with it.
      if (!this.opener.leaveOutMetadata(error, update)) throw error;
      if (this.pendingUpdate === update) this.pendingUpdate = null;
      this.options.onError?.(error as Error, { stopped: false, opened: false });
      return;
    }
    if (sent && this.pendingUpdate === update) this.pendingUpdate = null;
    this.heartbeat.answered();
    this.opened = true;
  }

  /** Ends the session, the last request. A `404`: a server without persistence lost it, nothing to end. */
  private async end(): Promise<void> {
    try {
      await this.sender.sessions.end(this.id);
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
      this.heartbeat.answered();
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
    this.options.onError?.(error, { stopped: true, opened: this.opened });
  }

  /** The heartbeat timer found no request for a period: one is due, unless something else goes out. */
  private heartbeatIfIdle(): void {
    if (this.opened && this.waitingOut) return this.beatWhileWaitingOut();
    if (!this.opened || this.pumping || this.queue.length > 0) return;
    this.heartbeatDue = true;
    this.kick();
  }

  /**
   * A heartbeat beside the pump, which waits out a Retry-After: that refusal was for what it sends
   * (appends past a rate limit), and a session silent meanwhile would expire. What the heartbeat
   * is answered does not matter here: the pump's next try finds out about the session anyway.
   */
  private beatWhileWaitingOut(): void {
    // One at a time: a server slower to answer than heartbeatMs would otherwise get a pile of them.
    if (this.beating) return;
    this.beating = true;
    void this.sender.sessions
      .heartbeat(this.id)
      .then(
        () => this.heartbeat.answered(),
        () => undefined,
      )
      .finally(() => (this.beating = false));
  }

  /**
   * Entries that left the queue for good, counted as logged: sent, dropped (the queue was full) or
   * refused. Grows by one for each of them, in the order they were queued.
   */
  private retired(): number {
    return this.sentEntries + this.stats.dropped + this.stats_.rejected - this.splitPieces;
  }

  /**
   * Waits until there is nothing left to send, or, with `sent`, until it says what the caller
   * waits for was sent (checked after each answered request).
   */
  private waitIdle(timeoutMs: number, sent: (() => boolean) | null = null): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended && this.hasWork()) return Promise.reject(new SessionLoggerClosedError(this.unsent()));
    if (this.ended || (!this.hasWork() && !this.pumping)) return Promise.resolve();
    const idle = this.idle.wait(
      timeoutMs,
      // Settled while work is left only once the logger stopped: what is left will not be sent.
      () => this.failure ?? (this.hasWork() || this.inFlight > 0 ? new SessionLoggerClosedError(this.unsent()) : null),
      () => new FlushTimeoutError(this.unsent(), timeoutMs),
      sent,
    );
    // The retry after this wait is awaited now: it keeps the process alive too.
    this.retrySleep.hold();
    if (!this.pumping) this.kick();
    // Tried at once, unless the server said when (a Retry-After is waited out, flush or not).
    else if (!this.waitingOut) this.retrySleep.wake();
    return idle;
  }

  /** Entries not known to be sent: those queued, and the batch whose request is out. */
  private unsent(): number {
    return this.queue.length + this.inFlight;
  }

  /** Settles the waiters once there is nothing left to send, or nothing more will be. */
  private settle(): void {
    if (this.hasWork() && !this.failure && !this.ended) return;
    this.idle.settle();
  }

  /**
   * What is left to send as the process exits at once (`process.exit()`, an uncaught exception:
   * see `ExitHook`), as requests: the session's opening (or pending metadata), the queued entries
   * in batches, and its end when `close()` was under way. None while the server is away (it would
   * only hold the exit up), nor for a batch out already (it may have arrived: sent again, it would
   * be there twice). In a browser page (see `PageHook`), bodies of at most `maxBytes` in all (what
   * does not fit stays queued), and no end while a request of the pump is out: sent beside it, the
   * end could pass a batch on its way and have it refused.
   */
  private lastRequests(maxBytes = Infinity): PreparedRequest[] {
    const page = maxBytes !== Infinity;
    const entriesLeft = this.queue.length > 0 || this.queue.dropped > 0;
    if (this.failing || this.failure || this.ended || !(entriesLeft || this.pendingUpdate || this.endDue)) return [];
    if (!this.opened && !this.opener.opensAtExit) return [];
    const { http } = this.client;
    const requests: PreparedRequest[] = [];
    const fields = this.opened ? null : this.opener.lastFields(this.pendingUpdate);
    const update = fields ?? (this.pendingUpdate && { metadata: this.pendingUpdate });
    let room = maxBytes;
    if (update) {
      const request = http.prepare(sessionRequests.upsert(this.id, update));
      room -= bodyBytes(request.body);
      if (room < 0) return [];
      requests.push(request);
      if (this.opened) this.pendingUpdate = null;
    }
    // The report of dropped entries is made only with room for it in the batch it leads: left
    // queued, it would pass for a logged entry (see `sendBatch`).
    if (room < REPORT_ROOM_BYTES) return requests;
    let report = this.reportDropped() > 0 ? 1 : 0;
    while (this.queue.length > 0) {
      const { count, body } = this.encoder.encode(
        this.queue,
        this.limits.entryCap,
        Math.min(this.limits.maxBatchBytes, room),
      );
      // What does not fit stays queued (the encoder takes one entry at least).
      if (body.length > room) return requests;
      room -= body.length;
      // The encoder reuses its buffers: each body is copied before the next is made.
      requests.push(http.prepare(appendJsonRequest(this.id, body.slice())));
      this.queue.take(count);
      // Handed over: counted as sent, so that a flush() of a page that comes back (the back/forward cache) is not held for them.
      this.sentEntries += count - report;
      this.stats_.sent += count;
      report = 0;
    }
    if (this.endDue && !(page && this.pumping)) requests.push(http.prepare(sessionRequests.end(this.id)));
    return requests;
  }

  /** The page was hidden: what is queued goes now (the pump's requests outlive the page: see `PageHook`). */
  private sendNow(): void {
    if (this.pumping) return;
    this.kick();
  }

  /**
   * The process is about to exit with entries pending (see `ExitHook`): send them now, or, while
   * the pump waits to retry a server that is away, keep the process alive for that wait (at most
   * EXIT_RETRY_WAIT_MS): three attempts at once would all find a restarting server still away.
   */
  private flushBeforeExit(): void {
    this.closing = true;
    if (this.pumping) this.retrySleep.holdAtMost(EXIT_RETRY_WAIT_MS);
    else this.kick();
  }
}

/** Opens a session and returns its logger (see `SessionLoggerOptions`). */
export function createSessionLogger(options: SessionLoggerOptions): SessionLogger {
  return new SessionLogger(options);
}
