import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { RateLimitedError, SessionRegistry, SharedBuckets, Stores, TokenBuckets, Unsubscribe } from '@zen/log-store';
import { AppConfig } from '../config/app-config';
import { STORES } from '../store/stores.module';

/**
 * The append rate limits (MAX_APPEND_ENTRIES_PER_S per session,
 * MAX_CLIENT_APPEND_ENTRIES_PER_S per client address), so that one client appending as
 * fast as it can does not slow down everyone else. Counted in entries; an empty append
 * (a sign of life) always passes. With the memory store the buckets are held in this
 * process, and a session's bucket is forgotten when it ends (it cannot append any more), debt
 * and all. With a shared store (Redis) they are held there, one per session and per address
 * for every replica together: a client whose requests land on several replicas gets the
 * limit once, not once per replica; such a bucket is a key that expires as it refills.
 */
@Injectable()
export class AppendRateLimit implements OnModuleDestroy {
  private readonly perSession: TokenBuckets | null;
  private readonly perClient: TokenBuckets | null;
  private readonly stopFollowing: Unsubscribe | undefined;
  /** The shared store's buckets, used instead of perSession and perClient when there are (and a limit is on). */
  private readonly shared: SharedBuckets | undefined;
  /** The two limits in entries a second (0: off), as the shared buckets are asked for them. */
  private readonly sessionRate: number;
  private readonly clientRate: number;

  constructor(
    config: AppConfig,
    registry: SessionRegistry,
    @Optional() @Inject(STORES) stores?: Pick<Stores, 'buckets'>,
  ) {
    this.sessionRate = config.maxAppendEntriesPerS;
    this.clientRate = config.maxClientAppendEntriesPerS;
    // Both limits off: nothing to ask the shared store, and appends wait for nothing.
    this.shared = this.sessionRate > 0 || this.clientRate > 0 ? stores?.buckets : undefined;
    const buckets = (rate: number) =>
      rate > 0 && !this.shared ? new TokenBuckets(rate, Date.now, config.maxRateLimitBuckets) : null;
    const perSession = buckets(this.sessionRate);
    this.perSession = perSession;
    this.perClient = buckets(this.clientRate);
    this.stopFollowing = perSession
      ? registry.onChanged(({ kind, id }) => {
          if (kind === 'ended' || kind === 'removed') perSession.forget(id);
        })
      : undefined;
  }

  onModuleDestroy(): void {
    this.stopFollowing?.();
  }

  /** Buckets held now, per session and per client address (for tests and the audit of what clients can grow). */
  held(): { sessions: number; clients: number } {
    return { sessions: this.perSession?.size ?? 0, clients: this.perClient?.size ?? 0 };
  }

  /**
   * Refuses an append whose session's or client's bucket is empty now, before its body is
   * read and parsed (it would be refused whatever it holds): a flooding client then costs
   * the server a request line and headers, not its batches. Takes nothing. Throws at once, or,
   * with shared buckets, answers a promise that rejects so.
   */
  refuseWhenEmpty(sessionId: string, client: string): void | Promise<void> {
    if (this.shared) return this.refuseWhenEmptyShared(this.shared, sessionId, client);
    const clientWait = this.perClient ? this.perClient.wait(client) : 0;
    if (clientWait > 0) throw new RateLimitedError('MAX_CLIENT_APPEND_ENTRIES_PER_S', clientWait);
    const sessionWait = this.perSession ? this.perSession.wait(sessionId) : 0;
    if (sessionWait > 0) throw new RateLimitedError('MAX_APPEND_ENTRIES_PER_S', sessionWait);
  }

  /**
   * Counts `entries` against the session's and the client's limits, or throws RateLimitedError:
   * at once, or, with shared buckets, as a promise that rejects so.
   */
  check(sessionId: string, client: string, entries: number): void | Promise<void> {
    if (entries === 0) return;
    if (this.shared) return this.checkShared(this.shared, sessionId, client, entries);
    // The client's bucket is checked first but charged only if the session's passes too.
    const clientWait = this.perClient ? this.perClient.take(client, 0) : 0;
    if (clientWait > 0) throw new RateLimitedError('MAX_CLIENT_APPEND_ENTRIES_PER_S', clientWait);
    const sessionWait = this.perSession ? this.perSession.take(sessionId, entries) : 0;
    if (sessionWait > 0) throw new RateLimitedError('MAX_APPEND_ENTRIES_PER_S', sessionWait);
    this.perClient?.take(client, entries);
  }

  /**
   * Gives back what `check` took for an append refused after it (its session ended meanwhile, the
   * store answered 503): a refused append changes nothing, the budgets included, and a client
   * retrying it is not refused 429 for entries never appended. Up to a full bucket, as a refill is.
   * Returns at once: the shared buckets' refund is sent without being waited for.
   */
  refund(sessionId: string, client: string, entries: number): void {
    if (entries === 0) return;
    if (!this.shared) {
      this.perSession?.refund(sessionId, entries);
      this.perClient?.refund(client, entries);
      return;
    }
    const { clientRate, sessionRate } = this;
    // Best effort, not awaited: when Redis is the reason for the refusal (away, stalled) the refund
    // fails too, and the refused append must still be answered at once, with its own error. Lost,
    // it costs the client no more than it did before: the bucket's key expires as it refills.
    const lost = () => undefined;
    if (clientRate > 0) this.shared.refund(CLIENT, client, clientRate, entries).catch(lost);
    if (sessionRate > 0) this.shared.refund(SESSION, sessionId, sessionRate, entries).catch(lost);
  }

  private async refuseWhenEmptyShared(shared: SharedBuckets, sessionId: string, client: string): Promise<void> {
    const { clientRate, sessionRate } = this;
    const [clientWait, sessionWait] = await Promise.all([
      clientRate > 0 ? shared.take(CLIENT, client, clientRate, 0) : 0,
      sessionRate > 0 ? shared.take(SESSION, sessionId, sessionRate, 0) : 0,
    ]);
    if (clientWait > 0) throw new RateLimitedError('MAX_CLIENT_APPEND_ENTRIES_PER_S', clientWait);
    if (sessionWait > 0) throw new RateLimitedError('MAX_APPEND_ENTRIES_PER_S', sessionWait);
  }

  private async checkShared(shared: SharedBuckets, sessionId: string, client: string, entries: number): Promise<void> {
    const { clientRate, sessionRate } = this;
    // As in this process: the client's bucket is looked at first, charged once the session's passed.
    const clientWait = clientRate > 0 ? await shared.take(CLIENT, client, clientRate, 0) : 0;
    if (clientWait > 0) throw new RateLimitedError('MAX_CLIENT_APPEND_ENTRIES_PER_S', clientWait);
    const sessionWait = sessionRate > 0 ? await shared.take(SESSION, sessionId, sessionRate, entries) : 0;
    if (sessionWait > 0) throw new RateLimitedError('MAX_APPEND_ENTRIES_PER_S', sessionWait);
    // Charged even if another replica emptied it meanwhile: this append is getting in.
    if (clientRate > 0) await shared.take(CLIENT, client, clientRate, entries, true);
  }
}

/** The shared buckets' names of the two limits. */
const SESSION = 'session';
const CLIENT = 'client';
