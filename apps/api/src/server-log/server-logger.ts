import { ConsoleLogger, Injectable, LogLevel as NestLogLevel, OnApplicationBootstrap } from '@nestjs/common';
import { inspect } from 'node:util';
import { addEntry, emptyBatch, EntryBatch, LEVEL_CODE } from '@zen/log-store';
import { LogsService } from '../logs/logs.service';
import { SessionsService } from '../sessions/sessions.service';

const LEVELS: Record<NestLogLevel, number> = {
  log: LEVEL_CODE.info,
  warn: LEVEL_CODE.warn,
  error: LEVEL_CODE.error,
  fatal: LEVEL_CODE.error,
  debug: LEVEL_CODE.debug,
  verbose: LEVEL_CODE.debug,
};

/** Messages logged before the server session exists are held, up to this many. */
const EARLY_LIMIT = 10_000;

/**
 * The Nest logger: prints to the console as usual and appends every message to the
 * server's own session, so the dashboard shows the server's log first.
 */
@Injectable()
export class ServerLogger extends ConsoleLogger implements OnApplicationBootstrap {
  private early: EntryBatch | null = emptyBatch();
  private appending = false;
  /** Appends on their way to the store (a shared store takes a round trip). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly logs: LogsService,
  ) {
    super();
  }

  /**
   * Every module is initialised, so the server session exists: flush what came early,
   * before the server listens (a shared store takes a round trip to take it).
   */
  async onApplicationBootstrap(): Promise<void> {
    const early = this.early;
    this.early = null;
    if (early && early.messages.length > 0) await this.append(early);
  }

  /** Settles once every message logged so far is in the server session's log (tests wait for it). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: NestLogLevel = 'log',
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, writeStreamType, errorStack);
    // Appending must never log, but guard anyway: a loop here would never end.
    if (this.appending) return;
    this.record(messages, context, LEVELS[logLevel] ?? LEVEL_CODE.info, errorStack);
  }

  private record(messages: unknown[], context: string, level: number, stack: unknown): void {
    const batch = this.early ?? emptyBatch();
    if (batch === this.early && batch.messages.length >= EARLY_LIMIT) return;
    const now = Date.now();
    const data =
      context || stack ? JSON.stringify({ context: context || undefined, stack: stack || undefined }) : undefined;
    for (const message of messages) {
      const text = typeof message === 'string' ? message : inspect(message, { depth: 4, breakLength: Infinity });
      addEntry(batch, text, level, now, data);
    }
    if (batch !== this.early) void this.append(batch);
  }

  private append(batch: EntryBatch): Promise<unknown> | undefined {
    const id = this.sessions.serverSessionId;
    if (!id) return undefined;
    // Only the synchronous part can re-enter this logger; the flag must not outlive it,
    // or messages logged while the append settles would be lost.
    this.appending = true;
    try {
      // Appended at once by the memory store (which may also throw at once), later by a shared one.
      const appended = settled(() => this.logs.append(id, batch));
      this.inFlight.add(appended);
      void appended.finally(() => this.inFlight.delete(appended));
      return appended;
    } finally {
      this.appending = false;
    }
  }
}

/** What `run` answers or throws, as a promise that never rejects (a failed append of the server's own log is dropped). */
function settled(run: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(run()).catch(() => undefined);
  } catch {
    return Promise.resolve(undefined);
  }
}
