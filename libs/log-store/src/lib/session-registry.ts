import { EndReason, SessionListStatus, SessionMetadata } from '@zen/contract';
import { SessionNotFoundError } from './errors';
import { LogCounters, Unsubscribe } from './log-store';
import { NewSession, SessionFields, SessionRecord } from './session-record';

/** How `update` treats `fields.metadata`. */
export interface SessionUpdate {
  fields: SessionFields;
  /** `merge`: the given keys are merged into the stored metadata; `replace`: it replaces it wholesale. */
  metadata: 'merge' | 'replace';
  /**
   * Called with the metadata the session would have after a merge, before anything
   * changes; throwing rejects the update (e.g. the merged metadata passes a limit).
   */
  checkMerged?: (merged: SessionMetadata) => void;
}

/** Sessions held now: the active ones (server sessions included) and the retained ended ones. */
export interface SessionCounts {
  active: number;
  ended: number;
}

/**
 * One change to the set of sessions, by id; a listener that needs the session reads it
 * with `get`. `created`, `updated`, `ended` and `appended` (updated and counters moved)
 * are upserts; `removed` means the registry forgot the session (retention).
 */
export interface SessionChange {
  readonly kind: 'created' | 'updated' | 'ended' | 'appended' | 'removed';
  readonly id: string;
}

/** What end() did: the session as it is now, and whether this call ended it (false: it had ended already). */
export interface EndOutcome {
  record: SessionRecord;
  endedNow: boolean;
}

/** Runs after each change made through the registry (for a shared one: through any replica). Must not throw. */
export type SessionChangeListener = (change: SessionChange) => void;

/**
 * The sessions' own state: active sessions, retained ended ones and each replica's
 * server session. The registry owns the session lifecycle of the log engine: it
 * creates each session's log in the LogStore it was built with, and deletes the logs
 * of the sessions it forgets. Every method answers with a promise so that a shared
 * implementation can meet it; each check-and-change is atomic (a shared registry
 * included). A registry that cannot be reached rejects with StoreUnavailableError.
 *
 * The behaviours are pinned by `describeSessionRegistryConformance` (`@zen/log-store/testing`).
 */
export abstract class SessionRegistry {
  /**
   * Creates an active session with an empty log. Rejects with SessionExistsError when
   * the id is taken (by an active or a retained ended session), and, for a client
   * session, with TooManySessionsError when the active client sessions already reach
   * the configured maximum.
   */
  abstract create(session: NewSession): Promise<SessionRecord>;

  /** The session, active or ended, or undefined when unknown (or forgotten). */
  abstract get(id: string): Promise<SessionRecord | undefined>;

  /**
   * The session as an append's early check needs it (is it there, a server's own, ended?):
   * possibly an older copy than `get` answers, whose counters and fields may lag behind and
   * whose status lags by no more than the store's change feed. The append itself refuses a
   * missing log or an ended session atomically; this check only answers sooner. `get` by
   * default.
   */
  getForAppend(id: string): Promise<SessionRecord | undefined> {
    return this.get(id);
  }

  /**
   * Applies the fields to an active session and moves `updated` (an update with no
   * fields is a heartbeat). Rejects with SessionNotFoundError or SessionEndedError.
   * Which clients may update which session is the caller's rule (assertClientWritable).
   */
  abstract update(id: string, update: SessionUpdate): Promise<SessionRecord>;

  /**
   * Ends an active session with the reason; ending an ended one changes nothing and
   * answers it as it is. Then forgets the earliest-ended sessions beyond the retention
   * count, with their logs. Rejects with SessionNotFoundError.
   */
  async end(id: string, reason: EndReason): Promise<SessionRecord> {
    return (await this.endReporting(id, reason)).record;
  }

  /**
   * end(), also saying whether this call is the one that ended the session: of any number
   * of concurrent calls (through any replica) exactly one is, so whatever happens once per
   * end (its line in the server session) keys on it.
   */
  abstract endReporting(id: string, reason: EndReason): Promise<EndOutcome>;

  /** Sessions with the status (`all`: both), newest created first. */
  abstract list(status: SessionListStatus): Promise<SessionRecord[]>;

  abstract counts(): Promise<SessionCounts>;

  /**
   * Ends, with endReason `expired`, every active client session whose `updated` is
   * before `idleBefore` (ms since the epoch), and answers the sessions this call
   * ended, longest idle first (idleLongestFirst). Each idle session is ended by exactly
   * one call, however many callers race (on any replica). Retention applies as for `end`.
   */
  abstract expireIdle(idleBefore: number): Promise<SessionRecord[]>;

  /**
   * Records an append to the session's log: `updated` moves to now and the counters
   * move to `counters`, unless a later append's counters (a greater logCursor) are
   * already recorded — counters never move backwards when appends resolve out of
   * order. A session forgotten meanwhile is ignored; an ended one is refused with
   * SessionEndedError, unchanged (an empty append passes no log check that would refuse it,
   * and the caller's check may predate an end made through another replica).
   */
  abstract recordAppend(id: string, counters: LogCounters): Promise<void>;

  /** The change feed that live session lists follow (see SessionChange). */
  abstract onChanged(listener: SessionChangeListener): Unsubscribe;
}

/** The session, or SessionNotFoundError. */
export async function requireSession(registry: SessionRegistry, id: string): Promise<SessionRecord> {
  const record = await registry.get(id);
  if (!record) throw new SessionNotFoundError(id);
  return record;
}
