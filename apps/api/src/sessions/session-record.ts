import { EndReason, Session, SessionMetadata, SessionStatus } from '@zen/contract';
import { LogCounters } from '../logs/store/log-store';
import { SessionChanges } from './session-input';

const NO_LOG: LogCounters = { logCount: 0, logCursor: 0, warnCount: 0, errorCount: 0 };

/**
 * A session as the server holds it. Every change goes through a method, which also
 * drops the cached serialisation the periodic WebSocket push reuses.
 */
export class SessionRecord {
  appname: string;
  mode: string;
  jobid: string | null;
  /** A null-prototype object: keys such as `__proto__` are plain data here. */
  metadata: SessionMetadata;
  status: SessionStatus = 'active';
  updated: number;
  ended: number | null = null;
  endReason: EndReason | null = null;
  log: LogCounters = NO_LOG;
  private json: string | null = null;

  constructor(
    readonly id: string,
    changes: SessionChanges & { appname: string },
    readonly created: number,
    readonly clientAddress: string | null,
  ) {
    this.appname = changes.appname;
    this.mode = changes.mode ?? '';
    this.jobid = changes.jobid ?? null;
    this.metadata = changes.metadata ?? Object.create(null);
    this.updated = created;
  }

  get active(): boolean {
    return this.status === 'active';
  }

  /** Applies the changes; metadata replaces the stored one (merging is the caller's choice). */
  apply(changes: SessionChanges, now: number): void {
    if (changes.appname !== undefined) this.appname = changes.appname;
    if (changes.mode !== undefined) this.mode = changes.mode;
    if (changes.jobid !== undefined) this.jobid = changes.jobid;
    if (changes.metadata !== undefined) this.metadata = changes.metadata;
    this.touch(now);
  }

  touch(now: number): void {
    this.updated = now;
    this.json = null;
  }

  logChanged(log: LogCounters, now: number): void {
    this.log = log;
    this.touch(now);
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

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
