import { Controller, Delete, Get, HttpStatus, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Session } from '@zen/contract';
import { SessionListQuerySchema } from '@zen/contract/schemas';
import { assertClientWritable, SessionExistsError, SessionRecord } from '@zen/log-store';
import { Request, Response } from 'express';
import { ParsedUrlQuery } from 'node:querystring';
import { OidPipe } from '../common/oid.pipe';
import { AppConfig } from '../config/app-config';
import { ContractValidator } from '../common/contract-validator';
import { RequestBodyReader } from '../common/request-body';
import { JSON_CONTENT_TYPE } from '../common/response-body';
import { UnsentResponses } from '../common/unsent-responses';
import {
  ApiCreated,
  ApiError,
  ApiErrors,
  ApiInput,
  ApiJson,
  ApiQueryOf,
  ApiReadRetryLater,
  ApiSessionId,
} from '../openapi/api-docs.decorators';
import { SessionsService } from './sessions.service';

const LIST_QUERY = new ContractValidator(SessionListQuerySchema);

// Optional: an empty body is a heartbeat (or a session with defaults).
const SESSION_BODY = ApiInput({ 'application/json': 'SessionInput' }, false);

/**
 * Session management. Each handler follows the contract's order of errors: the id
 * (pipe), then the body, then the session's state, then the fields.
 */
@ApiTags('sessions')
@ApiErrors(401, 503)
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly bodies: RequestBodyReader,
    private readonly config: AppConfig,
    private readonly unsent: UnsentResponses,
  ) {}

  @Get()
  @ApiQueryOf('SessionListQuery', ['status'])
  @ApiJson(200, 'Sessions, newest created first', 'SessionList')
  @ApiError(400, 'A bad status: not active, ended or all, empty, or given twice')
  @ApiReadRetryLater()
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    const status = LIST_QUERY.parseQuery(req.query as ParsedUrlQuery).status ?? 'active';
    // The JSON a SessionList serialises to, written as bytes: it may be longer than a string can be.
    const { bytes } = await this.sessions.listBytes(status);
    this.unsent.admit(req, res, bytes.length);
    res.status(HttpStatus.OK).type(JSON_CONTENT_TYPE).send(bytes);
  }

  @Post()
  @SESSION_BODY
  @ApiCreated('Created with a server-generated id')
  @ApiErrors(400, 413, 415, 429)
  async createWithNewId(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Session> {
    const body = await this.bodies.readJson(req, true);
    const changes = this.sessions.input.parse(body, true);
    const record = await this.sessions.createWithNewId(changes, req.ip ?? null);
    return this.created(res, record);
  }

  /** Creates the session (201) or updates an active one (200), merging metadata. */
  @Post(':id')
  @ApiSessionId()
  @SESSION_BODY
  @ApiCreated('Created')
  @ApiJson(200, 'Updated (metadata merged); an empty body is a heartbeat', 'Session')
  @ApiErrors(400, 403, 409, 413, 415, 429)
  async upsert(
    @Param('id', OidPipe) id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Session> {
    const body = await this.bodies.readJson(req, true);
    const found = await this.sessions.find(id);
    const existing = found ? { record: found, created: false } : await this.createOrFind(id, body, req.ip ?? null);
    if (existing.created) return this.created(res, existing.record);
    assertClientWritable(existing.record);
    const changes = this.sessions.input.parse(body, false);
    res.status(HttpStatus.OK);
    return (await this.sessions.update(id, changes, true)).toSession();
  }

  /** Updates an active session; metadata, when given, replaces the stored one. */
  @Put(':id')
  @ApiSessionId()
  @SESSION_BODY
  @ApiJson(200, 'Updated (metadata replaced)', 'Session')
  @ApiErrors(400, 403, 404, 409, 413, 415)
  async replace(@Param('id', OidPipe) id: string, @Req() req: Request): Promise<Session> {
    const body = await this.bodies.readJson(req, true);
    assertClientWritable(await this.sessions.get(id));
    const changes = this.sessions.input.parse(body, false);
    return (await this.sessions.update(id, changes, false)).toSession();
  }

  @Delete(':id')
  @ApiSessionId()
  @ApiJson(200, 'Ended (again: unchanged)', 'Session')
  @ApiErrors(400, 403, 404, 413, 415)
  async end(@Param('id', OidPipe) id: string, @Req() req: Request): Promise<Session> {
    // Nothing is read from a body, but the contract's body checks hold for it as for any
    // other session request: a refused one ends nothing.
    await this.bodies.readJson(req, true);
    const record = await this.sessions.get(id);
    if (record.server) assertClientWritable(record);
    return (await this.sessions.end(id, 'deleted')).toSession();
  }

  @Get(':id')
  @ApiSessionId()
  @ApiJson(200, 'The session, active or ended', 'Session')
  @ApiError(400, 'A bad id: not 24 hexadecimal characters')
  @ApiErrors(404)
  // No body to receive: only the store's 503, without Retry-After.
  @ApiError(503, 'The session store cannot be reached (LOG_STORE=redis while Redis is unavailable)')
  async get(@Param('id', OidPipe) id: string): Promise<Session> {
    return (await this.sessions.get(id)).toSession();
  }

  /**
   * A 201's session, with its URL in Location: without one, a 201 names the request's target
   * as what it created (RFC 9110 §15.3.2), which for POST /sessions/ is the collection.
   */
  private created(res: Response, record: SessionRecord): Session {
    res.location(this.config.under(`/sessions/${record.id}`));
    return record.toSession();
  }

  /** Creates the session; if another request created it meanwhile, that one is the session to update. */
  private async createOrFind(
    id: string,
    body: unknown,
    clientAddress: string | null,
  ): Promise<{ record: SessionRecord; created: boolean }> {
    try {
      return {
        record: await this.sessions.create(id, this.sessions.input.parse(body, true), clientAddress),
        created: true,
      };
    } catch (error) {
      if (!(error instanceof SessionExistsError)) throw error;
      return { record: await this.sessions.get(id), created: false };
    }
  }
}
