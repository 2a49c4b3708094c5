import { EndReason, SessionListStatus } from '@zen/contract';
import { SessionEndedError, SessionExistsError, SessionNotFoundError, TooManySessionsError } from '../errors';
import { LogCounters, LogStore, Unsubscribe } from '../log-store';
import { idleLongestFirst, mergeMetadata, NewSession, newestFirst, SessionRecord } from '../session-record';
import {
  EndOutcome,
  SessionChange,
  SessionChangeListener,
  SessionCounts,
  SessionRegistry,
  SessionUpdate,
} from '../session-registry';
import { StoresOptions } from '../stores';
import { ImmediateSessionRegistry } from '../immediate-appends';
import { Listeners } from '../listeners';

/**
 * The default registry: sessions in this process's memory, in creation order. Every
 * check-and-change runs without an `await` in between, which is what makes it atomic
 * here; records are handed out live (their cached JSON is shared with every reader).
 */
export class MemorySessionRegistry extends SessionRegistry implements ImmediateSessionRegistry {
  /** Every known session, in creation order (a listing walks it backwards). */
  private readonly sessions = new Map<string, SessionRecord>();
  /** Ended sessions' ids, earliest ended first: the retention queue. */
  private readonly ended = new Set<string>();
  private activeClients = 0;
  /** Sessions created so far: the next one's `order` is one more. */
  private creations = 0;
  private readonly listeners = new Listeners<SessionChange>();
  private readonly clock: () => number;

  constructor(
    private readonly logs: LogStore,
    private readonly options: Pick<StoresOptions, 'retainEnded' | 'maxActiveClients' | 'clock'>,
  ) {
    super();
    this.clock = options.clock ?? Date.now;
  }

  async create(session: NewSession): Promise<SessionRecord> {
    if (this.sessions.has(session.id)) throw new SessionExistsError(session.id);
    const server = session.server ?? false;
    if (!server && this.activeClients >= this.options.maxActiveClients) {
      throw new TooManySessionsError(this.activeClients);
    }
    const record = SessionRecord.create(session, this.clock(), ++this.creations);
    // Claimed before the log is created, so that a concurrent create of the id fails.
    this.sessions.set(record.id, record);
    if (!server) this.activeClients++;
    try {
      record.log = await this.logs.create(record.id);
    } catch (error) {
      this.sessions.delete(record.id);
      if (!server) this.activeClients--;
      throw error;
    }
    this.changed('created', record.id);
    return record;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(id);
  }

  getNow(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  async update(id: string, update: SessionUpdate): Promise<SessionRecord> {
    const record = this.sessions.get(id);
    if (!record) throw new SessionNotFoundError(id);
    if (!record.active) throw new SessionEndedError(id);
    let fields = update.fields;
    if (update.metadata === 'merge' && fields.metadata) {
      const merged = mergeMetadata(record.metadata, fields.metadata);
      update.checkMerged?.(merged);
      fields = { ...fields, metadata: merged };
    }
    record.apply(fields, this.clock());
    this.changed('updated', id);
    return record;
  }

  async endReporting(id: string, reason: EndReason): Promise<EndOutcome> {
    const record = this.sessions.get(id);
    if (!record) throw new SessionNotFoundError(id);
    if (!record.active) return { record, endedNow: false };
    this.endNow(record, reason);
    await this.forgetBeyondRetention();
    return { record, endedNow: true };
  }

  async list(status: SessionListStatus): Promise<SessionRecord[]> {
    const all = [...this.sessions.values()].reverse();
    const active = status === 'active';
    const records = status === 'all' ? all : all.filter((record) => record.active === active);
    // Newest created first. Latest create first already unless the clock went back between
    // creates: then sorting moves those few (a sorted array costs one comparison per session).
    return records.sort(newestFirst);
  }

  async counts(): Promise<SessionCounts> {
    return { active: this.sessions.size - this.ended.size, ended: this.ended.size };
  }

  async expireIdle(idleBefore: number): Promise<SessionRecord[]> {
    const expired: SessionRecord[] = [];
    for (const record of this.sessions.values()) {
      if (record.active && !record.server && record.updated < idleBefore) expired.push(record);
    }
    expired.sort(idleLongestFirst);
    for (const record of expired) this.endNow(record, 'expired');
    if (expired.length > 0) await this.forgetBeyondRetention();
    return expired;
  }

  async recordAppend(id: string, counters: LogCounters): Promise<void> {
    this.recordAppendNow(id, counters);
  }

  recordAppendNow(id: string, counters: LogCounters): void {
    const record = this.sessions.get(id);
    if (!record) return;
    if (!record.active) throw new SessionEndedError(id);
    record.logChanged(counters, this.clock());
    this.changed('appended', id);
  }

  /** The memory budget evicted entries of the session's log: its counters change, not its liveness. */
  logTrimmed(id: string, counters: LogCounters): void {
    const record = this.sessions.get(id);
    if (!record) return;
    record.logTrimmed(counters);
    this.changed('appended', id);
  }

  onChanged(listener: SessionChangeListener): Unsubscribe {
    return this.listeners.add(listener);
  }

  private endNow(record: SessionRecord, reason: EndReason): void {
    record.end(reason, this.clock());
    if (!record.server) this.activeClients--;
    this.ended.add(record.id);
    this.changed('ended', record.id);
  }

  private async forgetBeyondRetention(): Promise<void> {
    for (const id of this.ended) {
      if (this.ended.size <= this.options.retainEnded) return;
      this.ended.delete(id);
      this.sessions.delete(id);
      this.changed('removed', id);
      await this.logs.delete(id);
    }
  }

  private changed(kind: SessionChange['kind'], id: string): void {
    if (this.listeners.size > 0) this.listeners.emit({ kind, id }, undefined);
  }
}
