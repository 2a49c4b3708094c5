import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { EndReason, SessionListStatus, SessionMetadata } from '@zen/contract';
import {
  endedLine,
  EndOutcome,
  immediateRegistry,
  onLateEnds,
  quotedForLog,
  requireSession,
  SessionExistsError,
  SessionFields,
  SessionRecord,
  SessionRegistry,
  settledWithin,
  Stores,
  StoreUnavailableError,
} from '@zen/log-store';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';
import { STORES } from '../store/stores.module';
import { version } from '../version';
import { utf8Joined } from '../common/utf8-joined';
import { newObjectId } from './object-id';
import { ServerSession } from './server-session';
import { metadataProblem, SessionInputValidator } from './session-input';

/** Longest wait, as this process stops, to learn whether the store can take the end of its session. */
const STOP_PROBE_MS = 500;

/**
 * The sessions as the API sees them: a thin layer over the SessionRegistry that adds
 * this process's own session, fresh ids, the input limits and the lifecycle log lines.
 * The state rules (404/403/409) are the engine's domain errors.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnApplicationShutdown {
  readonly input: SessionInputValidator;
  private readonly logger = new Logger('Sessions');
  /** This process's own session (see ServerSession). */
  private readonly server: ServerSession;
  private readonly startTime = new Date().toISOString();

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SessionRegistry,
    /** Asked, as this process stops, whether the store can take the end of its session (see logServerStopping). */
    @Optional() @Inject(STORES) private readonly stores?: Pick<Stores, 'notReady'>,
  ) {
    this.input = new SessionInputValidator(config.limits);
    this.server = new ServerSession(registry, () => this.createWithNewId(this.serverFields(), null, true), this.logger);
  }

  async onModuleInit(): Promise<void> {
    await this.server.start();
  }

  onApplicationShutdown(): void {
    this.server.stop();
  }

  /** What this process's session says of it: its name and mode, and the process in its metadata. */
  private serverFields(): SessionFields & { appname: string } {
    const metadata = Object.assign(Object.create(null), {
      version,
      pid: process.pid,
      hostname: hostname(),
      startTime: this.startTime,
      node: process.version,
    });
    return { appname: 'zenserver', mode: 'server', metadata };
  }

  get serverSessionId(): string {
    return this.server.id;
  }

  /** Whether this process's session was found ended (by other replicas: it was silent too long). */
  get serverSessionEnded(): boolean {
    return this.server.ended;
  }

  /**
   * Logs the end of this process's session as it stops, with a shared store (whose registry
   * then ends it with endReason `stopped` when the stores close: see createRedisStores), so that
   * it is a lifecycle line like any other end (API.md). Logged before the end: nothing can be
   * appended to an ended session. A registry in this process's memory goes with the process,
   * ending nothing. A store that cannot take the end now (away, stalled, refusing writes) gets no
   * such line, which would be untrue: the stores' close then says that it could not end it, and
   * what happens to it instead. Asked for no longer than a healthy store takes (STOP_PROBE_MS): a
   * stalled one would otherwise hold the shutdown for a command timeout here, and another for the
   * end. Answers whether it logged.
   */
  async logServerStopping(): Promise<boolean> {
    const id = this.server.id;
    if (!id || immediateRegistry(this.registry) || !this.stores) return false;
    const why = await settledWithin(this.stores.notReady(), STOP_PROBE_MS, 'no answer in time');
    if (why !== undefined) return false;
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
  async create(id: string, changes: SessionFields, clientAddress: string | null): Promise<SessionRecord> {
    return this.add(id, withAppname(changes), clientAddress, false);
  }

  /** Creates a session under a fresh id no session uses. */
  async createWithNewId(changes: SessionFields, clientAddress: string | null, server = false): Promise<SessionRecord> {
    const fields = withAppname(changes);
    for (;;) {
      try {
        return await this.add(newObjectId(), fields, clientAddress, server);
      } catch (error) {
        if (!(error instanceof SessionExistsError)) throw error;
      }
    }
  }

  /** Updates an active session; metadata is merged into the stored one or replaces it. */
  update(id: string, changes: SessionFields, mergeMetadata: boolean): Promise<SessionRecord> {
    return this.registry.update(id, {
      fields: changes,
      metadata: mergeMetadata ? 'merge' : 'replace',
      checkMerged: (merged) => this.checkMerged(merged),
    });
  }

  /** Ends an active session; ending an ended one changes nothing. */
  async end(id: string, reason: EndReason): Promise<SessionRecord> {
    // Logged by the call that ended it: a check before ending raced with concurrent DELETEs.
    let outcome: EndOutcome;
    try {
      outcome = await this.registry.endReporting(id, reason);
    } catch (error) {
      // Answered 503 because the store was slow, the end may still complete: then say so.
      onLateEnds(error, (record) => this.logEnded(record, ' after its request had answered 503'));
      throw error;
    }
    if (outcome.endedNow) this.logEnded(outcome.record);
    return outcome.record;
  }

  /** Ends the client sessions idle since before `idleBefore` (each exactly once, whoever else sweeps). */
  async expireIdle(idleBefore: number): Promise<void> {
    let expired: SessionRecord[];
    try {
      expired = await this.registry.expireIdle(idleBefore);
    } catch (error) {
      // A sweep cut short by a slow store: what it ended before, or Redis ends late, is logged still.
      onLateEnds(error, (record) => this.logEnded(record));
      throw error;
    }
    for (const record of expired) this.logEnded(record);
  }

  /** Sessions held now, server session included among the active. */
  counts(): Promise<{ active: number; ended: number }> {
    return this.registry.counts();
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
    // The listing names this process's session (API.md): made now if the store had none of it.
    await this.server.ensure();
    let records = await this.registry.list(status);
    if (await this.server.missingFrom(records, status)) records = await this.registry.list(status);
    const pieces = new Array<string>(records.length + 2);
    pieces[0] = `${before}{"sessions":[`;
    for (let i = 0; i < records.length; i++) pieces[i + 1] = i > 0 ? `,${records[i].toJson()}` : records[i].toJson();
    pieces[records.length + 1] = `],"serverSessionId":"${this.server.id}"}${after}`;
    return { bytes: utf8Joined(pieces), newest: records[0] };
  }

  private async add(
    id: string,
    fields: SessionFields & { appname: string },
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

  private logCreated(record: SessionRecord, note = ''): void {
    const { id, appname, mode } = record;
    this.logger.log(`session ${id} created (appname ${quotedForLog(appname)}, mode ${quotedForLog(mode)})${note}`);
  }

  private checkMerged(merged: SessionMetadata): void {
    const problem = metadataProblem(merged, this.config.limits, true);
    if (problem) throw new BadRequestException(problem);
  }

  private logEnded(record: SessionRecord, note = ''): void {
    this.logger.log(`${endedLine(record)}${note}`);
  }
}

/** A create's fields: the input parser requires an appname to create (SessionInputValidator.parse). */
function withAppname(changes: SessionFields): SessionFields & { appname: string } {
  if (changes.appname === undefined) throw new Error('a create needs an appname');
  return { ...changes, appname: changes.appname };
}
