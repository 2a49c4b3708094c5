import { Logger } from '@nestjs/common';
import { SessionListStatus } from '@zen/contract';
import { immediateRegistry, SessionRecord, SessionRegistry, StoreUnavailableError, Unsubscribe } from '@zen/log-store';

/** How often the session is looked for in a shared store, which may lose it (see lookAgain). */
const CHECK_MS = 5_000;
/** Pause between two creates the store refused. */
const RETRY_MS = 1_000;

/**
 * This process's own session (API.md, "The server's own session"), kept in its registry.
 *
 * A shared store may be unreachable, or refuse writes, at start: the process starts anyway (not
 * ready, see /health/ready) and creates its session once the store takes it, retrying every
 * second, and at once before a listing (which must name it). A shared store may also lose it (a
 * Redis restarted without persistence): it is looked for every CHECK_MS, and at once when a
 * listing misses it, and created again. One that other replicas ended (this one was silent past
 * their limit) is left ended, also once retention has forgotten it (it was not lost: the change
 * feed told of its end). One create and one look at a time; a listing waits for either.
 */
export class ServerSession {
  /** Its id; empty until the store took it. */
  id = '';
  private retry: NodeJS.Timeout | undefined;
  private check: NodeJS.Timeout | undefined;
  private creating: Promise<void> | null = null;
  private looking: Promise<void> | null = null;
  /** Why the store refused the last create, until one succeeds. */
  private refusal: StoreUnavailableError | null = null;
  /** The id last found ended by other replicas: an active listing need not look for it again. */
  private foundEnded = '';
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly create: () => Promise<SessionRecord>,
    private readonly logger: Logger,
  ) {}

  /** Creates it (or starts retrying), and, with a shared store, looks for it every CHECK_MS. */
  async start(): Promise<void> {
    await this.createOnce();
    // A registry in this process's memory cannot lose it: only a shared one is checked.
    if (immediateRegistry(this.registry)) return;
    this.unsubscribe = this.registry.onChanged((change) => {
      if (change.kind === 'ended' && change.id === this.id && change.id) this.foundEnded = change.id;
    });
    this.check = setInterval(() => void this.lookAgain(), CHECK_MS);
    this.check.unref();
  }

  stop(): void {
    clearTimeout(this.retry);
    clearInterval(this.check);
    this.unsubscribe?.();
  }

  /** Whether it was found ended (by other replicas, after this one was silent too long, or stopping). */
  get ended(): boolean {
    return this.id !== '' && this.foundEnded === this.id;
  }

  /**
   * Before a listing: a process still without its session tries to create it now rather than at
   * its next retry, so that the listing names it (API.md) instead of "". A store that refuses it
   * fails the listing with its reason (a 503), as a store that cannot answer does.
   */
  async ensure(): Promise<void> {
    if (this.id) return;
    await this.createOnce();
    if (!this.id && this.refusal) {
      throw new StoreUnavailableError(`${this.refusal.message} (this server has no session yet)`);
    }
  }

  /**
   * After a listing of `status` that did not hold it: whether the store lost it and a new one was
   * created (the caller lists again). A shared store that lost it shows it here first.
   */
  async missingFrom(records: SessionRecord[], status: SessionListStatus): Promise<boolean> {
    const id = this.id;
    if (!id || status === 'ended' || immediateRegistry(this.registry)) return false;
    // Found ended: never created again, whether a listing holds it or retention forgot it.
    if (this.foundEnded === id) return false;
    for (const record of records) if (record.id === id) return false;
    await this.lookAgain();
    return this.id !== id;
  }

  /** Looks for it in the store and creates another if it is gone; one look at a time. */
  private lookAgain(): Promise<void> {
    this.looking ??= this.look().finally(() => (this.looking = null));
    return this.looking;
  }

  private async look(): Promise<void> {
    // A create under way (or retrying) settles the question.
    if (this.creating) return this.creating;
    const id = this.id;
    if (!id || this.retry) return;
    try {
      const record = await this.registry.get(id);
      if (record || id !== this.id) {
        if (record && !record.active) this.foundEnded = id;
        return;
      }
      // Ended, then forgotten by retention (SESSIONS_RETAIN_ENDED): not lost, and left ended.
      if (this.foundEnded === id) return;
      this.logger.warn(
        `the server session ${id} is no longer in the session store (its data was lost); creating another`,
      );
      await this.createOnce();
    } catch {
      // The store cannot answer: /health/ready says so; the next look tries again.
    }
  }

  /**
   * A create that timed out (a stalled Redis) may still be made once Redis answers: that session
   * is this process's, kept alive by its heartbeat like any it made, so it is taken as its session
   * rather than a second being made by the next retry (two active server sessions for one process,
   * the one never named in a listing yet never expired).
   */
  private adoptLate(late: Promise<unknown>): void {
    late.then(
      (record) => {
        if (!(record instanceof SessionRecord) || this.id) return;
        clearTimeout(this.retry);
        this.retry = undefined;
        this.refusal = null;
        this.id = record.id;
      },
      () => undefined,
    );
  }

  private createOnce(): Promise<void> {
    this.creating ??= this.tryCreate().finally(() => (this.creating = null));
    return this.creating;
  }

  private async tryCreate(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    try {
      this.id = (await this.create()).id;
      this.refusal = null;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      if (error.late) this.adoptLate(error.late);
      if (!this.refusal) this.logger.warn(`${error.message}; the server session waits for it`);
      this.refusal = error;
      // A retry runs from a timer: any other failure is logged there, never left unhandled.
      this.retry = setTimeout(
        () =>
          this.createOnce().catch((failed: Error) =>
            this.logger.error(`the server session could not be created: ${failed.message}`),
          ),
        RETRY_MS,
      );
      this.retry.unref();
    }
  }
}
