import type { Session, SessionInput, SessionMetadata } from '@zen/contract';
import { ApiError } from '../errors';
import { sessionInputOf } from '../rest/sessions-api';
import type { SessionsClient } from '../rest/sessions-client';
import type { SessionLoggerOptions } from './session-logger-options';
import { jsonSafe } from './safe-json';
import { isCreateWithoutAppname, isMetadataRefusal } from '../server-answers';

/**
 * The request that opens a logger's session, every time it has to: at first, and again after a
 * server without persistence lost it (created again as it was, not with the defaults).
 */
export class SessionOpener {
  private readonly attach: boolean;
  /** What the session is created with. */
  private fields: SessionInput;
  /** The first opening continues a session that may exist with these (see the `whenExists` option). */
  private whenExists: SessionInput | null;

  constructor(
    private readonly client: SessionsClient,
    private readonly id: string,
    options: SessionLoggerOptions,
  ) {
    this.attach = options.attach ?? false;
    const metadata = jsonSafe(options.metadata);
    this.fields = { appname: options.appname, mode: options.mode, jobid: options.jobid, metadata };
    const whenExists = options.alreadyOpen || this.attach ? null : (options.whenExists ?? null);
    this.whenExists = whenExists && { ...whenExists, metadata: jsonSafe(whenExists.metadata) };
  }

  /**
   * Creates the session (or merges its fields into the active one), with `update`'s metadata
   * keys; true when those were sent. Attached, it checks the session is active and may be
   * appended to: a heartbeat, refused as an append would be (the server's own session: `403`),
   * so a session that cannot be fed is known even when nothing is logged.
   */
  async open(update: SessionMetadata | null): Promise<boolean> {
    if (this.attach) {
      const session = await this.client.sessions.get(this.id);
      if (session.status === 'ended') throw new ApiError(409, `session ${this.id} has ended`);
      await this.client.sessions.heartbeat(this.id);
      return false;
    }
    if (this.whenExists) await this.continueOrCreate(this.whenExists, update);
    else await this.client.sessions.upsert(this.id, withMetadata(this.fields, update));
    return true;
  }

  /**
   * The opening was refused for its metadata (see `isMetadataRefusal`: more keys than the server
   * takes, a key too long, too large; `process.env` given whole, say): from now on the session is
   * opened without the metadata given so far, so that its entries still go in. False when the
   * refusal is not about metadata, or there was none to leave out (the refusal is then for good).
   */
  leaveOutMetadata(error: unknown, update: SessionMetadata | null): boolean {
    const given = [this.fields.metadata, this.whenExists?.metadata, update];
    if (!isMetadataRefusal(error) || !given.some((metadata) => metadata && Object.keys(metadata).length > 0)) {
      return false;
    }
    this.fields = { ...this.fields, metadata: undefined };
    if (this.whenExists) this.whenExists = { ...this.whenExists, metadata: undefined };
    return true;
  }

  /**
   * Whether one request can open the session as the process exits (see
   * `SessionLogger.lastRequests`): not while a session that may exist is still to be continued
   * (`whenExists`), which takes a request whose answer decides the next.
   */
  get opensAtExit(): boolean {
    return this.whenExists === null;
  }

  /**
   * The fields of that request, with `update`'s metadata keys: the create; attached, only the
   * metadata (the session exists), or none.
   */
  lastFields(update: SessionMetadata | null): SessionInput | null {
    if (this.attach) return update && { metadata: update };
    return withMetadata(this.fields, update);
  }

  /**
   * Opens a session that may exist (`whenExists`): sends `continued` without its `appname`, which
   * only updates an existing session; creates the session with `fields` when the server answers
   * that it does not exist. A retry after a network error starts over (each request merges or
   * sets the same values), unless the session is known not to exist by then.
   */
  private async continueOrCreate(continued: SessionInput, update: SessionMetadata | null): Promise<Session> {
    const { appname, ...rest } = continued;
    let session: Session;
    try {
      session = await this.client.sessions.upsert(this.id, withMetadata(rest, update));
    } catch (error) {
      if (!isCreateWithoutAppname(error)) throw error;
      // It does not exist: from now on (a retry too) it is created with the full fields.
      this.whenExists = null;
      return this.client.sessions.upsert(this.id, withMetadata(this.fields, update));
    }
    if (appname != null) session = await this.client.sessions.upsert(this.id, { appname });
    this.whenExists = null;
    // A server that loses the session creates it again as it was, not with the defaults.
    this.fields = sessionInputOf(session);
    return session;
  }
}

/** The fields with `update`'s keys merged into their metadata. */
function withMetadata(fields: SessionInput, update: SessionMetadata | null): SessionInput {
  return { ...fields, metadata: { ...fields.metadata, ...update } };
}
