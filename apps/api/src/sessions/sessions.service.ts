import {
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  OnModuleInit,
} from '@nestjs/common';
import { EndReason, SessionListStatus } from '@zen/contract';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';
import { LogStore } from '../logs/store/log-store';
import { version } from '../version';
import { newObjectId } from './object-id';
import { SessionChanges, SessionInputValidator } from './session-input';
import { SessionRecord } from './session-record';

/**
 * The registry of sessions: active and retained ended ones, the server's own
 * session, retention and the state rules (404/403/409) every route shares.
 */
@Injectable()
export class SessionsService implements OnModuleInit {
  readonly input: SessionInputValidator;
  private readonly logger = new Logger('Sessions');
  /** Every known session, in creation order (a listing walks it backwards). */
  private readonly sessions = new Map<string, SessionRecord>();
  /** Ended sessions' ids, earliest ended first: the retention queue. */
  private readonly ended = new Set<string>();
  private activeClients = 0;
  private server!: SessionRecord;

  constructor(
    private readonly config: AppConfig,
    private readonly store: LogStore,
  ) {
    this.input = new SessionInputValidator(config.limits);
  }

  async onModuleInit(): Promise<void> {
    const startTime = new Date().toISOString();
    const metadata = Object.assign(Object.create(null), {
      version,
      pid: process.pid,
      hostname: hostname(),
      startTime,
      node: process.version,
    });
    this.server = await this.add(newObjectId(), { appname: 'zenserver', mode: 'server', metadata }, null);
  }

  get serverSessionId(): string {
    return this.server.id;
  }

  isServerSession(record: SessionRecord): boolean {
    return record === this.server;
  }

  find(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  /** The session, or 404. */
  get(id: string): SessionRecord {
    const record = this.sessions.get(id);
    if (!record) throw new NotFoundException(`session ${id} not found`);
    return record;
  }

  /** 403 for the server's own session, 409 for an ended one. */
  assertClientWritable(record: SessionRecord): void {
    if (this.isServerSession(record)) {
      throw new ForbiddenException(`session ${record.id} is the server's own session; clients cannot change it`);
    }
    if (!record.active) {
      throw new ConflictException(`session ${record.id} has ended; a new session needs a new id`);
    }
  }

  async create(id: string, changes: SessionChanges, clientAddress: string | null): Promise<SessionRecord> {
    if (changes.appname === undefined) throw new Error('create() needs an appname');
    if (this.activeClients >= this.config.maxSessions) {
      throw new HttpException(
        `the server already holds ${this.activeClients} active sessions (MAX_SESSIONS)`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const record = await this.add(id, { ...changes, appname: changes.appname }, clientAddress);
    this.activeClients++;
    return record;
  }

  /** A fresh id no session uses. */
  newId(): string {
    let id = newObjectId();
    while (this.sessions.has(id)) id = newObjectId();
    return id;
  }

  update(record: SessionRecord, changes: SessionChanges, mergeMetadata: boolean): SessionRecord {
    if (mergeMetadata && changes.metadata) {
      changes = { ...changes, metadata: this.input.merge(record.metadata, changes.metadata) };
    }
    record.apply(changes, Date.now());
    return record;
  }

  /** Ends an active session; ending an ended one changes nothing. */
  async end(record: SessionRecord, reason: EndReason): Promise<SessionRecord> {
    if (!record.active) return record;
    record.end(reason, Date.now());
    this.activeClients--;
    this.ended.add(record.id);
    this.logger.log(
      `session ${record.id} ${reason === 'expired' ? 'expired' : 'ended'} (appname ${JSON.stringify(record.appname)})`,
    );
    await this.forgetBeyondRetention();
    return record;
  }

  /** Client sessions idle for longer than the timeout, oldest update first. */
  idleSince(cutoff: number): SessionRecord[] {
    const idle: SessionRecord[] = [];
    for (const record of this.sessions.values()) {
      if (record.active && record !== this.server && record.updated < cutoff) idle.push(record);
    }
    return idle;
  }

  /** Sessions held now, server session included among the active. */
  counts(): { active: number; ended: number } {
    return { active: this.sessions.size - this.ended.size, ended: this.ended.size };
  }

  /** Newest created first. */
  list(status: SessionListStatus): SessionRecord[] {
    const records = [...this.sessions.values()].reverse();
    if (status === 'all') return records;
    const active = status === 'active';
    return records.filter((record) => record.active === active);
  }

  /** `{"sessions": [...], "serverSessionId": ...}` of every session, as JSON text. */
  listJson(): string {
    const parts: string[] = [];
    for (const record of this.sessions.values()) parts.push(record.toJson());
    return `{"sessions":[${parts.reverse().join(',')}],"serverSessionId":"${this.server.id}"}`;
  }

  private async add(
    id: string,
    changes: SessionChanges & { appname: string },
    clientAddress: string | null,
  ): Promise<SessionRecord> {
    const record = new SessionRecord(id, changes, Date.now(), clientAddress);
    record.log = await this.store.create(id);
    this.sessions.set(id, record);
    this.logger.log(
      `session ${id} created (appname ${JSON.stringify(record.appname)}, mode ${JSON.stringify(record.mode)})`,
    );
    return record;
  }

  private async forgetBeyondRetention(): Promise<void> {
    for (const id of this.ended) {
      if (this.ended.size <= this.config.retainEnded) return;
      this.ended.delete(id);
      this.sessions.delete(id);
      await this.store.delete(id);
    }
  }
}
