import { BadRequestException, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EndReason, SessionListStatus, SessionMetadata } from '@zen/contract';
import {
  immediateRegistry,
  requireSession,
  SessionExistsError,
  SessionRecord,
  SessionRegistry,
  StoreUnavailableError,
} from '@zen/log-store';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';
import { version } from '../version';
import { utf8Joined } from '../common/utf8-joined';
import { newObjectId } from './object-id';
import { metadataProblem, SessionChanges, SessionInputValidator } from './session-input';

/** How often the server session is looked for in the store (a shared one may lose it: see checkServerSession). */
const SERVER_SESSION_CHECK_MS = 5_000;

/**
 * The sessions as the API sees them: a thin layer over the SessionRegistry that adds
 * this process's own session, fresh ids, the input limits and the lifecycle log lines.
 * The state rules (404/403/409) are the engine's domain errors.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnApplicationShutdown {
  readonly input: SessionInputValidator;
  private readonly logger = new Logger('Sessions');
  private serverId = '';
  private serverRetry: NodeJS.Timeout | undefined;
  private serverCheck: NodeJS.Timeout | undefined;
  private checking = false;
  /** A server session is being created (its create waits for the store, retrying). */
  private creatingServer = false;
  /** The fields of this process's session, once known (onModuleInit). */
  private serverFields: (SessionChanges & { appname: string }) | undefined;
  /** The attempt to create the server session under way, if any: one at a time. */
  private serverAttempt: Promise<void> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SessionRegistry,
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
    const fields = { appname: 'zenserver', mode: 'server', metadata };
    this.serverFields = fields;
    await this.createServerSession(fields);
    // A registry in this process's memory cannot lose the session: only a shared one is checked.
    if (immediateRegistry(this.registry)) return;
    this.serverCheck = setInterval(() => void this.checkServerSession(fields), SERVER_SESSION_CHECK_MS);
    this.serverCheck.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.serverRetry);
    clearInterval(this.serverCheck);
  }

  /**
   * A shared store that comes back without its data (a Redis restarted without persistence)
   * has lost this process's session too: a new one is created, or the process would stay
   * not ready and log nowhere (API.md: it recovers by itself when Redis is back). One that
   * was ended (by other replicas, after this one was silent too long) is left ended.
   */
  private async checkServerSession(fields: SessionChanges & { appname: string }): Promise<void> {
    const id = this.serverId;
    if (!id || this.checking || this.creatingServer) return;
    this.checking = true;
    try {
      if ((await this.registry.get(id)) !== undefined || id !== this.serverId) return;
      this.logger.warn(
        `the server session ${id} is no longer in the session store (its data was lost); creating another`,
      );
      await this.createServerSession(fields);
    } catch {
      // The store cannot answer: /health/ready says so; the next check looks again.
    } finally {
      this.checking = false;
    }
  }

  /**
   * A shared store may be unreachable at start: the process starts anyway (not ready,
   * see /health/ready) and creates its session once the store answers. One attempt at a time.
   */
  private createServerSession(fields: SessionChanges & { appname: string }): Promise<void> {
    this.serverAttempt ??= this.attemptServerSession(fields).finally(() => (this.serverAttempt = null));
    return this.serverAttempt;
  }

  /**
   * Before a listing: a process still without its session (the store was away at start) tries
   * to create it now rather than at its next retry, up to a second away, so that a listing the
   * store answers names it as serverSessionId (API.md) instead of "". Waits for an attempt under
   * way; a store still away fails the listing itself.
   */
  private async ensureServerSession(): Promise<void> {
    if (this.serverId || !this.serverFields) return;
    if (!this.serverAttempt) clearTimeout(this.serverRetry);
    await this.createServerSession(this.serverFields);
  }

  private async attemptServerSession(fields: SessionChanges & { appname: string }): Promise<void> {
    this.creatingServer = true;
    try {
      this.serverId = (await this.createWithNewId(fields, null, true)).id;
      this.creatingServer = false;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) {
        this.creatingServer = false;
        throw error;
      }
      if (this.serverRetry === undefined) this.logger.warn(`${error.message}; the server session waits for it`);
      // A retry runs from a timer: any other failure is logged there, never left unhandled.
      const retry = () =>
        this.createServerSession(fields).catch((failed: Error) =>
          this.logger.error(`the server session could not be created: ${failed.message}`),
        );
      this.serverRetry = setTimeout(retry, 1000);
      this.serverRetry.unref();
    }
  }

  get serverSessionId(): string {
    return this.serverId;
  }

  /**
   * Logs the end of this process's session as it stops, with a shared store (whose registry
   * then ends it with endReason `stopped` when the stores close: see createRedisStores), so that
   * it is a lifecycle line like any other end (API.md). Logged before the end: nothing can be
   * appended to an ended session. A registry in this process's memory goes with the process,
   * ending nothing. Answers whether it logged.
   */
  logServerStopping(): boolean {
    const id = this.serverId;
    if (!id || immediateRegistry(this.registry)) return false;
    this.logger.log(`session ${id} ended (appname "zenserver"): stopped, this server is shutting down`);
    return true;
  }

  find(id: string): Promise<SessionRecord | undefined> {
    return this.registry.get(id);
  }

  /** The session, or 404. */
  get(id: string): Promise<SessionRecord> {
    return requireSession(this.registry, id);
  }

  /** Creates a client session; 409 if the id is taken, 429 past MAX_SESSIONS. */
  async create(id: string, changes: SessionChanges, clientAddress: string | null): Promise<SessionRecord> {
    if (changes.appname === undefined) throw new Error('create() needs an appname');
    return this.add(id, { ...changes, appname: changes.appname }, clientAddress, false);
  }

  /** Creates a session under a fresh id no session uses. */
  async createWithNewId(changes: SessionChanges, clientAddress: string | null, server = false): Promise<SessionRecord> {
    if (changes.appname === undefined) throw new Error('create() needs an appname');
    for (;;) {
      try {
        return await this.add(newObjectId(), { ...changes, appname: changes.appname }, clientAddress, server);
      } catch (error) {
        if (!(error instanceof SessionExistsError)) throw error;
      }
    }
  }

  /** Updates an active session; metadata is merged into the stored one or replaces it. */
  update(id: string, changes: SessionChanges, mergeMetadata: boolean): Promise<SessionRecord> {
    return this.registry.update(id, {
      fields: changes,
      metadata: mergeMetadata ? 'merge' : 'replace',
      checkMerged: (merged) => this.checkMerged(merged),
    });
  }

  /** Ends an active session; ending an ended one changes nothing. */
  async end(id: string, reason: EndReason): Promise<SessionRecord> {
    // Logged by the call that ended it: a check before ending raced with concurrent DELETEs.
    const { record, endedNow } = await this.registry.endReporting(id, reason);
    if (endedNow) this.logEnded(record);
    return record;
  }

  /** Ends the client sessions idle since before `idleBefore` (each exactly once, whoever else sweeps). */
  async expireIdle(idleBefore: number): Promise<void> {
    for (const record of await this.registry.expireIdle(idleBefore)) this.logEnded(record);
  }

  /** Sessions held now, server session included among the active. */
  counts(): Promise<{ active: number; ended: number }> {
    return this.registry.counts();
  }

  /** Newest created first. */
  list(status: SessionListStatus): Promise<SessionRecord[]> {
    return this.registry.list(status);
  }

  /**
   * `{"sessions": [...], "serverSessionId": ...}` of the sessions with `status`, as UTF-8
   * bytes between `before` and `after` (a frame's envelope), and the newest session in it
   * (the first). Bytes, not a string: a listing may be longer than a string can be (utf8Joined).
   */
  async listBytes(
    status: SessionListStatus,
    before = '',
    after = '',
  ): Promise<{ bytes: Buffer; newest: SessionRecord | undefined }> {
    if (!this.serverId) await this.ensureServerSession();
    let records = await this.registry.list(status);
    if (status !== 'ended' && this.serverFields && !this.lists(records, this.serverId)) {
      // The listing should name this process's session (API.md), and a shared store that lost
      // it (a Redis restarted without persistence) shows that here first: a new one now, not at
      // the next check up to SERVER_SESSION_CHECK_MS away. (One that other replicas ended is
      // left ended, as the check does; it is only missing from the active listing.)
      const id = this.serverId;
      await this.checkServerSession(this.serverFields);
      if (this.serverId !== id) records = await this.registry.list(status);
    }
    const pieces = new Array<string>(records.length + 2);
    pieces[0] = `${before}{"sessions":[`;
    for (let i = 0; i < records.length; i++) pieces[i + 1] = i > 0 ? `,${records[i].toJson()}` : records[i].toJson();
    pieces[records.length + 1] = `],"serverSessionId":"${this.serverId}"}${after}`;
    return { bytes: utf8Joined(pieces), newest: records[0] };
  }

  private async add(
    id: string,
    fields: SessionChanges & { appname: string },
    clientAddress: string | null,
    server: boolean,
  ): Promise<SessionRecord> {
    let record: SessionRecord;
    try {
      record = await this.registry.create({ id, fields, clientAddress, server });
    } catch (error) {
      // Answered 503 because the store was slow, the create may still complete: then say so.
      if (error instanceof StoreUnavailableError && error.late) {
        error.late.then(
          (done) => done instanceof SessionRecord && this.logCreated(done, ' after its request had answered 503'),
          () => undefined,
        );
      }
      throw error;
    }
    this.logCreated(record);
    return record;
  }

  /** Whether the records hold the session `id` (always so with a registry in this process, which cannot lose it). */
  private lists(records: SessionRecord[], id: string): boolean {
    if (!id || immediateRegistry(this.registry)) return true;
    for (const record of records) if (record.id === id) return true;
    return false;
  }

  private logCreated(record: SessionRecord, note = ''): void {
    const { id, appname, mode } = record;
    this.logger.log(`session ${id} created (appname ${JSON.stringify(appname)}, mode ${JSON.stringify(mode)})${note}`);
  }

  private checkMerged(merged: SessionMetadata): void {
    const problem = metadataProblem(merged, this.config.limits);
    if (problem) throw new BadRequestException(`${problem} after merging with the stored metadata`);
  }

  private logEnded(record: SessionRecord): void {
    const how = record.endReason === 'expired' ? 'expired' : 'ended';
    this.logger.log(`session ${record.id} ${how} (appname ${JSON.stringify(record.appname)})`);
  }
}
