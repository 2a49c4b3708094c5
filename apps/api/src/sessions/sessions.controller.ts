import { BadRequestException, Controller, Delete, Get, HttpStatus, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Session, SESSION_LIST_STATUSES, SessionList, SessionListStatus } from '@zen/contract';
import { assertClientWritable, SessionExistsError, SessionRecord } from '@zen/log-store';
import { Request, Response } from 'express';
import { ParsedUrlQuery } from 'node:querystring';
import { OidPipe } from '../common/oid.pipe';
import { singleQueryValue } from '../common/query';
import { RequestBodyReader } from '../common/request-body';
import { ApiErrors, ApiJson, ApiSessionId } from '../openapi/api-docs.decorators';
import { SESSION, SESSION_INPUT, SESSION_LIST } from '../openapi/schemas';
import { SessionsService } from './sessions.service';

const SESSION_BODY = { schema: SESSION_INPUT, required: false };

/**
 * Session management. Each handler follows the contract's order of errors: the id
 * (pipe), then the body, then the session's state, then the fields.
 */
@ApiTags('sessions')
@ApiErrors(401)
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly bodies: RequestBodyReader,
  ) {}

  @Get()
  @ApiQuery({ name: 'status', required: false, enum: SESSION_LIST_STATUSES })
  @ApiJson(200, 'Sessions, newest created first', SESSION_LIST)
  @ApiErrors(400)
  async list(@Req() req: Request): Promise<SessionList> {
    const status = (singleQueryValue(req.query as ParsedUrlQuery, 'status') ?? 'active') as SessionListStatus;
    if (!SESSION_LIST_STATUSES.includes(status)) {
      throw new BadRequestException(`status must be one of ${SESSION_LIST_STATUSES.join(', ')}`);
    }
    return {
      sessions: (await this.sessions.list(status)).map((record) => record.toSession()),
      serverSessionId: this.sessions.serverSessionId,
    };
  }

  @Post()
  @ApiBody(SESSION_BODY)
  @ApiJson(201, 'Created with a server-generated id', SESSION)
  @ApiErrors(400, 413, 415, 429)
  async createWithNewId(@Req() req: Request): Promise<Session> {
    const body = await this.bodies.readJson(req, true);
    const changes = this.sessions.input.parse(body, true);
    const record = await this.sessions.createWithNewId(changes, req.ip ?? null);
    return record.toSession();
  }

  /** Creates the session (201) or updates an active one (200), merging metadata. */
  @Post(':id')
  @ApiSessionId()
  @ApiBody(SESSION_BODY)
  @ApiJson(201, 'Created', SESSION)
  @ApiJson(200, 'Updated (metadata merged); an empty body is a heartbeat', SESSION)
  @ApiErrors(400, 403, 409, 413, 415, 429)
  async upsert(
    @Param('id', OidPipe) id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Session> {
    const body = await this.bodies.readJson(req, true);
    const found = await this.sessions.find(id);
    const existing = found ? { record: found, created: false } : await this.createOrFind(id, body, req.ip ?? null);
    if (existing.created) return existing.record.toSession();
    assertClientWritable(existing.record);
    const changes = this.sessions.input.parse(body, false);
    res.status(HttpStatus.OK);
    return (await this.sessions.update(id, changes, true)).toSession();
  }

  /** Updates an active session; metadata, when given, replaces the stored one. */
  @Put(':id')
  @ApiSessionId()
  @ApiBody(SESSION_BODY)
  @ApiJson(200, 'Updated (metadata replaced)', SESSION)
  @ApiErrors(400, 403, 404, 409, 413, 415)
  async replace(@Param('id', OidPipe) id: string, @Req() req: Request): Promise<Session> {
    const body = await this.bodies.readJson(req, true);
    assertClientWritable(await this.sessions.get(id));
    const changes = this.sessions.input.parse(body, false);
    return (await this.sessions.update(id, changes, false)).toSession();
  }

  @Delete(':id')
  @ApiSessionId()
  @ApiJson(200, 'Ended (again: unchanged)', SESSION)
  @ApiErrors(400, 403, 404)
  async end(@Param('id', OidPipe) id: string): Promise<Session> {
    const record = await this.sessions.get(id);
    if (record.server) assertClientWritable(record);
    return (await this.sessions.end(id, 'deleted')).toSession();
  }

  @Get(':id')
  @ApiSessionId()
  @ApiJson(200, 'The session, active or ended', SESSION)
  @ApiErrors(400, 404)
  async get(@Param('id', OidPipe) id: string): Promise<Session> {
    return (await this.sessions.get(id)).toSession();
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
