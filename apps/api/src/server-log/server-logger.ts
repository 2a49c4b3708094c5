import {
  ConsoleLogger,
  Injectable,
  LogLevel as NestLogLevel,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { inspect } from 'node:util';
import { NEST_LEVELS, readNestMessage } from '@zen/contract';
import { addEntry, emptyBatch, EntryBatch, LEVEL_CODE, settledWithin, StoreUnavailableError } from '@zen/log-store';
import { AppConfig } from '../config/app-config';
import { LogsService } from '../logs/logs.service';
import { SessionsService } from '../sessions/sessions.service';

/** How soon held messages are tried again when the store refused them. */
const RETRY_MS = 1_000;
/** Longest wait at shutdown for the line that logs the end of the server session (see onApplicationShutdown). */
const STOP_LINE_WAIT_MS = 500;

/**
 * The Nest logger: prints to the console as usual and appends every message to the
 * server's own session, so the dashboard shows the server's log first. One append is out at
 * a time; what is logged meanwhile is held and goes next, in order, as one batch.
 *
 * Messages that cannot be appended yet (no server session: before it exists, or while a shared
 * store cannot be reached) are held, up to MAX_HELD_SERVER_LOG_MESSAGES; the newest beyond are
 * counted and reported once the rest are in.
 */
@Injectable()
export class ServerLogger extends ConsoleLogger implements OnApplicationBootstrap, OnApplicationShutdown {
  private held = emptyBatch();
  private dropped = 0;
  private sending: Promise<void> | null = null;
  private retry: NodeJS.Timeout | undefined;
  private appending = false;
  private readonly heldLimit: number;

  constructor(
    private readonly sessions: SessionsService,
    private readonly logs: LogsService,
    config: AppConfig,
  ) {
    super();
    this.heldLimit = config.maxHeldServerLogMessages;
  }

  /**
   * Every module is initialised, so the server session exists (unless a shared store is
   * away): send what came early, before the server listens.
   */
  async onApplicationBootstrap(): Promise<void> {
    this.flush();
    await this.settled();
  }

  /**
   * Before the stores close (their module shuts down after this one), a replica on a shared
   * store logs the end of its session, and waits until that line and everything before it
   * are appended (or held, the store being away): the session is ended next.
   */
  async onApplicationShutdown(): Promise<void> {
    if (await this.sessions.logServerStopping()) {
      // Not for longer than a healthy store takes: a stalled one would hold the shutdown for
      // a command timeout or two, and the end that follows could not be written either.
      await settledWithin(this.settled(), STOP_LINE_WAIT_MS, undefined);
    }
    clearTimeout(this.retry);
  }

  /** Settles once no append is out: every message logged so far is in the log, or held for a later try. */
  async settled(): Promise<void> {
    while (this.sending) await this.sending;
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: NestLogLevel = 'log',
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    // A lazy message (`logger.debug(() => costly())`) is computed once, for the console and the
    // session alike, and a class is its name, as the console writes them: not the function's source.
    const read = messages.map(readNestMessage);
    super.printMessages(read, context, logLevel, writeStreamType, errorStack);
    // Appending must never log, but guard anyway: a loop here would never end.
    if (this.appending) return;
    this.record(read, context, LEVEL_CODE[NEST_LEVELS[logLevel]] ?? LEVEL_CODE.info, errorStack);
  }

  private record(messages: unknown[], context: string, level: number, stack: unknown): void {
    const now = Date.now();
    const data =
      context || stack ? JSON.stringify({ context: context || undefined, stack: stack || undefined }) : undefined;
    for (const message of messages) {
      if (this.held.messages.length >= this.heldLimit) {
        this.dropped++;
        continue;
      }
      const text = typeof message === 'string' ? message : inspect(message, { depth: 4, breakLength: Infinity });
      addEntry(this.held, text, level, now, data);
    }
    this.flush();
  }

  /** Sends what is held, unless an append is out (it sends the rest when it ends) or a retry is due. */
  private flush(): void {
    if (this.sending || this.retry || (this.held.messages.length === 0 && this.dropped === 0)) return;
    const id = this.sessions.serverSessionId;
    if (!id) return this.retryLater();
    const { batch, reported } = this.takeHeld();
    this.sending = this.send(id, batch, reported).finally(() => {
      this.sending = null;
      this.flush();
    });
  }

  /** `reported`: the messages dropped that the batch's last line reports (0: no such line). */
  private async send(id: string, batch: EntryBatch, reported: number): Promise<void> {
    try {
      await this.append(id, batch);
    } catch (error) {
      // Held again, in front of what came since, while the store is away; any other refusal
      // (the session has ended) means there is nowhere for them to go.
      if (!(error instanceof StoreUnavailableError)) return;
      this.holdAgain(batch, reported);
      this.retryLater();
    }
  }

  /** Appends (at once in the memory store, which may also throw at once; later in a shared one). */
  private async append(id: string, batch: EntryBatch): Promise<void> {
    // Only the synchronous part can re-enter this logger; the flag must not outlive it,
    // or messages logged while the append settles would be lost.
    this.appending = true;
    let appended: unknown;
    try {
      appended = this.logs.append(id, batch);
    } finally {
      this.appending = false;
    }
    await appended;
  }

  /**
   * The held messages, and a line for those beyond the held limit (where they would have been), with
   * how many that line reports.
   */
  private takeHeld(): { batch: EntryBatch; reported: number } {
    const batch = this.held;
    const reported = this.dropped;
    this.held = emptyBatch();
    if (reported > 0) {
      const message = `${reported} server log messages were dropped while they could not be appended (at most ${this.heldLimit} are held)`;
      addEntry(batch, message, LEVEL_CODE.warn, Date.now(), JSON.stringify({ context: 'ServerLogger' }));
      this.dropped = 0;
    }
    return { batch, reported };
  }

  /**
   * Puts a batch the store refused back in front of what came since, up to the held limit. Its line
   * reporting `reported` dropped messages goes back to the count (the next batch reports them all):
   * held again as a message, and dropped itself, it would be counted as one.
   */
  private holdAgain(batch: EntryBatch, reported: number): void {
    const since = this.held;
    const refused = reported > 0 ? batch.messages.length - 1 : batch.messages.length;
    this.held = emptyBatch();
    this.dropped += reported;
    for (const [each, count] of [
      [batch, refused],
      [since, since.messages.length],
    ] as const) {
      for (let i = 0; i < count; i++) {
        if (this.held.messages.length >= this.heldLimit) this.dropped++;
        else addEntry(this.held, each.messages[i], each.levels[i], each.times[i], each.data?.[i]);
      }
    }
  }

  private retryLater(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.flush();
    }, RETRY_MS);
    this.retry.unref();
  }
}
