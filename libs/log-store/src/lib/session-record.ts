import { EndReason, Session, SessionMetadata, SessionStatus } from '@zen/contract';
import { SessionEndedError, ServerSessionError, StoreUnavailableError } from './errors';
import { LogCounters, NO_LOG } from './log-store';
import { quotedForLog } from './printable';

/** Fields a client sets: absent ones are undefined; `jobid: null` clears it. */
export interface SessionFields {
  appname?: string;
  mode?: string;
  jobid?: string | null;
  /** A null-prototype object: keys such as `__proto__` are plain data. */
  metadata?: SessionMetadata;
}

/** Everything a registry keeps of a session; times in milliseconds since the epoch. */
export interface SessionState {
  readonly id: string;
  appname: string;
  mode: string;
  jobid: string | null;
  metadata: SessionMetadata;
  status: SessionStatus;
  created: number;
  updated: number;
  ended: number | null;
  endReason: EndReason | null;
  log: LogCounters;
  clientAddress: string | null;
  /** A server's own session: read-only to clients, never expired by SESSIONS_TIMEOUT_S. */
  server: boolean;
  /**
   * Its creation order in its store: a later create has a higher order (through any replica
   * of a shared store). Breaks ties of `created` wherever sessions are listed newest first
   * (see `newestFirst`); not part of the session's object.
   */
  readonly order: number;
}

/** What `SessionRegistry.create` needs. */
export interface NewSession {
  id: string;
  fields: SessionFields & { appname: string };
  clientAddress: string | null;
  /** Creates a server's own session (not counted against MAX_SESSIONS). */
  server?: boolean;
}

/**
 * A session as a registry hands it out. Callers read it; only registry
 * implementations call the mutating methods, each of which also drops the cached
 * serialisation that the periodic WebSocket push reuses.
 */
export class SessionRecord implements SessionState {
  readonly id: string;
  appname: string;
  mode: string;
  jobid: string | null;
  metadata: SessionMetadata;
  status: SessionStatus;
  created: number;
  updated: number;
  ended: number | null;
  endReason: EndReason | null;
  log: LogCounters;
  clientAddress: string | null;
  server: boolean;
  readonly order: number;
  private json: string | null = null;

  constructor(state: SessionState) {
    this.id = state.id;
    this.appname = state.appname;
    this.mode = state.mode;
    this.jobid = state.jobid;
    this.metadata = state.metadata;
    this.status = state.status;
    this.created = state.created;
    this.updated = state.updated;
    this.ended = state.ended;
    this.endReason = state.endReason;
    this.log = state.log;
    this.clientAddress = state.clientAddress;
    this.server = state.server;
    this.order = state.order;
  }

  /** A new active session with an empty log; `order` is its creation order in its store. */
  static create(session: NewSession, now: number, order: number): SessionRecord {
    const { fields } = session;
    return new SessionRecord({
      id: session.id,
      appname: fields.appname,
      mode: fields.mode ?? '',
      jobid: fields.jobid ?? null,
      metadata: fields.metadata ?? Object.create(null),
      status: 'active',
      created: now,
      updated: now,
      ended: null,
      endReason: null,
      log: NO_LOG,
      clientAddress: session.clientAddress,
      server: session.server ?? false,
      order,
    });
  }

  get active(): boolean {
    return this.status === 'active';
  }

  /** Applies the fields given; metadata replaces the stored one (merging is the registry's job). */
  apply(fields: SessionFields, now: number): void {
    if (fields.appname !== undefined) this.appname = fields.appname;
    if (fields.mode !== undefined) this.mode = fields.mode;
    if (fields.jobid !== undefined) this.jobid = fields.jobid;
    if (fields.metadata !== undefined) this.metadata = fields.metadata;
    this.touch(now);
  }

  /** Moves `updated` (see `movedUpdated`). */
  touch(now: number): void {
    this.updated = movedUpdated(this.updated, now);
    this.json = null;
  }

  /** Takes the counters of an append, unless a later append's are already here. */
  logChanged(log: LogCounters, now: number): void {
    if (log.logCursor >= this.log.logCursor) this.log = log;
    this.touch(now);
  }

  /** Entries of the log were evicted (not appended): the counters change, the session is not touched. */
  logTrimmed(log: LogCounters): void {
    if (log.logCursor < this.log.logCursor) return;
    this.log = log;
    this.json = null;
  }

  end(reason: EndReason, now: number): void {
    this.status = 'ended';
    this.ended = now;
    this.endReason = reason;
    this.json = null;
  }

  toSession(): Session {
    return {
      id: this.id,
      appname: this.appname,
      mode: this.mode,
      jobid: this.jobid,
      metadata: this.metadata,
      status: this.status,
      created: iso(this.created),
      updated: iso(this.updated),
      ended: this.ended === null ? null : iso(this.ended),
      endReason: this.endReason,
      ...this.log,
      clientAddress: this.clientAddress,
    };
  }

  /** The session as JSON text, serialised once per change. */
  toJson(): string {
    return (this.json ??= JSON.stringify(this.toSession()));
  }
}

/**
 * The order of every listing of sessions, and of the sessions a `sessions-delta` puts on top:
 * newest `created` first, and of equal `created`, the later create (higher `order`) first.
 * `created` comes from the clock of the replica that made the session, so two made at once
 * through two replicas may tie; their order in the store decides, the same for every replica.
 */
export function newestFirst(a: SessionState, b: SessionState): number {
  return b.created - a.created || b.order - a.order;
}

/** The order of the sessions `expireIdle` ends (and logs): as they fell idle, the oldest `updated` first. */
export function idleLongestFirst(a: SessionState, b: SessionState): number {
  return a.updated - b.updated;
}

/**
 * The server session's lifecycle line for a session's end (API.md: lifecycle events are logged
 * there, each naming the session): `session <id> ended (appname "a")`, or `expired`.
 */
export function endedLine(record: SessionState): string {
  const how = record.endReason === 'expired' ? 'expired' : 'ended';
  return `session ${record.id} ${how} (appname ${quotedForLog(record.appname)})`;
}

/** The stored metadata with the given keys set, as a new null-prototype object. */
export function mergeMetadata(stored: SessionMetadata, changes: SessionMetadata): SessionMetadata {
  const merged: SessionMetadata = Object.create(null);
  for (const key of Object.keys(stored)) merged[key] = stored[key];
  for (const key of Object.keys(changes)) merged[key] = changes[key];
  return merged;
}

/** The rule every client write shares: 403 for a server's own session, then 409 for an ended one. */
export function assertClientWritable(record: SessionRecord): void {
  if (record.server) throw new ServerSessionError(record.id);
  if (!record.active) throw new SessionEndedError(record.id);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * How far ahead of the clock `updated` may go so that every change shows as a move: a few changes
 * in one millisecond (an append, a read, another append over keep-alive) each move it on, and a
 * flood of them in one session cannot carry it further into the future than this.
 */
export const UPDATED_LEAD_MS = 100;

/**
 * Where `updated` moves to at `now`: now, never backwards, and one past where it was when that is
 * not before now (a heartbeat right after a create, an append right after another), so that every
 * change shows as moved, up to UPDATED_LEAD_MS ahead of the clock. The Redis scripts' `touch`
 * does the same.
 */
export function movedUpdated(updated: number, now: number): number {
  if (now > updated) return now;
  return updated - now < UPDATED_LEAD_MS ? updated + 1 : updated;
}

/**
 * The sessions a store too slow to answer ended all the same (the `late` of an end's or a cut-short
 * sweep's StoreUnavailableError): `each` is called with each once the store has answered, so that
 * its line in the server session is still written.
 */
export function onLateEnds(error: unknown, each: (record: SessionRecord) => void): void {
  if (!(error instanceof StoreUnavailableError) || !error.late) return;
  error.late.then(
    (done) => {
      for (const record of [done].flat()) if (record instanceof SessionRecord) each(record);
    },
    () => undefined,
  );
}
