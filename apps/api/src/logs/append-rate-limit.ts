import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { RateLimitedError, SessionRegistry, TokenBuckets, Unsubscribe } from '@zen/log-store';
import { AppConfig } from '../config/app-config';

/**
 * The append rate limits (MAX_APPEND_ENTRIES_PER_S per session,
 * MAX_CLIENT_APPEND_ENTRIES_PER_S per client address), so that one client appending as
 * fast as it can does not slow down everyone else. Counted in entries; an empty append
 * (a sign of life) always passes. Held in this process: each replica limits on its own.
 * A session's bucket is forgotten when it ends (it cannot append any more), debt and all.
 */
@Injectable()
export class AppendRateLimit implements OnModuleDestroy {
  private readonly perSession: TokenBuckets | null;
  private readonly perClient: TokenBuckets | null;
  private readonly stopFollowing: Unsubscribe | undefined;

  constructor(config: AppConfig, registry: SessionRegistry) {
    const buckets = (rate: number) => (rate > 0 ? new TokenBuckets(rate, Date.now, config.maxRateLimitBuckets) : null);
    const perSession = buckets(config.maxAppendEntriesPerS);
    this.perSession = perSession;
    this.perClient = buckets(config.maxClientAppendEntriesPerS);
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
   * the server a request line and headers, not its batches. Takes nothing.
   */
  refuseWhenEmpty(sessionId: string, client: string): void {
    const clientWait = this.perClient ? this.perClient.wait(client) : 0;
    if (clientWait > 0) throw new RateLimitedError('MAX_CLIENT_APPEND_ENTRIES_PER_S', clientWait);
    const sessionWait = this.perSession ? this.perSession.wait(sessionId) : 0;
    if (sessionWait > 0) throw new RateLimitedError('MAX_APPEND_ENTRIES_PER_S', sessionWait);
  }

  /** Counts `entries` against the session's and the client's limits, or throws RateLimitedError. */
  check(sessionId: string, client: string, entries: number): void {
    if (entries === 0) return;
    // The client's bucket is checked first but charged only if the session's passes too.
    const clientWait = this.perClient ? this.perClient.take(client, 0) : 0;
    if (clientWait > 0) throw new RateLimitedError('MAX_CLIENT_APPEND_ENTRIES_PER_S', clientWait);
    const sessionWait = this.perSession ? this.perSession.take(sessionId, entries) : 0;
    if (sessionWait > 0) throw new RateLimitedError('MAX_APPEND_ENTRIES_PER_S', sessionWait);
    this.perClient?.take(client, entries);
  }
}
