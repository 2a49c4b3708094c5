import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { LOG_FORMATS, LOG_LEVELS } from '@zen/contract';
import { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { AppConfig } from '../config/app-config';
import { sendBody, sendJson } from '../common/response-body';
import { OidPipe } from '../common/oid.pipe';
import { parseJson, RequestBodyReader } from '../common/request-body';
import { ApiErrors, ApiJson, ApiSessionId } from '../openapi/api-docs.decorators';
import { APPEND_RESULT, LOG_APPEND_INPUT, LOG_PAGE } from '../openapi/schemas';
import { FORMAT_CONTENT_TYPES, pageHeaders, parseJsonEntries, parseTextEntries } from '@zen/log-store';
import { parseLogQuery } from './log-query';
import { LogsService, ReadBody } from './logs.service';

const APPEND_TYPES = ['text/plain', 'application/json'] as const;

/**
 * Session logs. Both routes are hot paths: they read the raw body once and write
 * pre-serialised JSON straight to the response, using only Node's request and
 * response API, so that LogsFastLane can call them without Express in between.
 */
@ApiTags('logs')
@ApiErrors(401)
@Controller('sessions/:id/log')
export class LogsController {
  constructor(
    private readonly config: AppConfig,
    private readonly logs: LogsService,
    private readonly bodies: RequestBodyReader,
  ) {}

  @Post()
  @ApiSessionId()
  @ApiConsumes('application/json', 'text/plain')
  @ApiBody({
    schema: LOG_APPEND_INPUT,
    description: 'One entry, {"entries": [...]}, or text lines (one info entry each)',
  })
  @ApiJson(200, 'Appended; cursor is the new logCursor', APPEND_RESULT)
  @ApiErrors(400, 403, 404, 409, 413, 415)
  async append(
    @Param('id', OidPipe) id: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const body = await this.bodies.read(req, APPEND_TYPES, false);
    const json = body.mediaType === 'application/json' ? parseJson(body.bytes) : undefined;
    await this.logs.writable(id);
    const now = Date.now();
    const batch =
      body.mediaType === 'application/json'
        ? parseJsonEntries(json, this.config.limits, now)
        : parseTextEntries(body.bytes, this.config.limits, now);
    const cursor = await this.logs.append(id, batch, req.socket.remoteAddress ?? '');
    sendJson(res, 200, `{"appended":${batch.messages.length},"cursor":${cursor}}`);
  }

  @Get()
  @ApiSessionId()
  @ApiQuery({
    name: 'cursor',
    required: false,
    type: 'integer',
    description: 'Cursor mode: entries with seq >= cursor',
  })
  @ApiQuery({ name: 'offset', required: false, type: 'integer', description: 'Offset mode: held entries by position' })
  @ApiQuery({ name: 'limit', required: false, type: 'integer', description: '0–10,000' })
  @ApiQuery({ name: 'level', required: false, enum: LOG_LEVELS, description: 'This level or more severe' })
  @ApiQuery({ name: 'q', required: false, description: 'Message contains, case-insensitively' })
  @ApiQuery({ name: 'format', required: false, enum: LOG_FORMATS })
  @ApiProduces('application/json', 'application/x-ndjson', 'text/plain')
  @ApiJson(200, 'A page of entries', LOG_PAGE)
  @ApiErrors(400, 404)
  async read(@Param('id', OidPipe) id: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    await this.logs.readable(id);
    const query = parseLogQuery(queryOf(req), this.config.limits);
    const answer =
      query.mode === 'offset'
        ? await this.logs.readPage(id, query.read, query.format)
        : await this.logs.readCursor(id, { ...query.read, withTotal: query.format !== 'json' }, query.format);
    if (query.format === 'json') return sendJson(res, 200, answer.body);
    sendFormatted(res, query.format, answer);
  }
}

function queryOf(req: IncomingMessage): ReturnType<typeof parseQuery> {
  const url = req.url ?? '';
  const start = url.indexOf('?');
  return start === -1 ? {} : parseQuery(url.slice(start + 1));
}

function sendFormatted(res: ServerResponse, format: 'ndjson' | 'text', answer: ReadBody): void {
  const headers = pageHeaders(answer.cursor, answer.dropped, answer.total ?? 0);
  sendBody(res, 200, FORMAT_CONTENT_TYPES[format], answer.body, headers);
}
