import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { OidPipe } from '../common/oid.pipe';
import { parseJson, RequestBodyReader } from '../common/request-body';
import { sendJson } from '../common/json-response';
import { SessionsService } from '../sessions/sessions.service';
import { parseJsonEntries, parseTextEntries } from './entry-parsers';
import {
  cursorPageJson,
  entriesNdjson,
  entriesText,
  FORMAT_CONTENT_TYPES,
  offsetPageJson,
  pageHeaders,
} from './log-format';
import { parseLogQuery } from './log-query';
import { LogsService } from './logs.service';

const APPEND_TYPES = ['text/plain', 'application/json'] as const;

/**
 * Session logs. Both routes are hot paths: they read the raw body once and write
 * pre-serialised JSON straight to the response.
 */
@Controller('sessions/:id/log')
export class LogsController {
  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly logs: LogsService,
    private readonly bodies: RequestBodyReader,
  ) {}

  @Post()
  async append(@Param('id', OidPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const body = await this.bodies.read(req, APPEND_TYPES, false);
    const json = body.mediaType === 'application/json' ? parseJson(body.bytes) : undefined;
    const record = this.sessions.get(id);
    this.sessions.assertClientWritable(record);
    const now = Date.now();
    const batch =
      body.mediaType === 'application/json'
        ? parseJsonEntries(json, this.config.limits, now)
        : parseTextEntries(body.bytes, this.config.limits, now);
    const cursor = await this.logs.append(record, batch);
    sendJson(res, 200, `{"appended":${batch.messages.length},"cursor":${cursor}}`);
  }

  @Get()
  async read(@Param('id', OidPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const record = this.sessions.get(id);
    const query = parseLogQuery(req.query, this.config.limits);
    if (query.mode === 'offset') {
      const slice = await this.logs.readPage(record, query.read);
      if (query.format === 'json') return sendJson(res, 200, offsetPageJson(slice, query.read.offset, query.read.limit));
      return sendFormatted(res, query.format, slice.entries, pageHeaders(slice.cursor, 0, slice.total));
    }
    const withTotal = query.format !== 'json';
    const slice = await this.logs.readCursor(record, { ...query.read, withTotal });
    if (query.format === 'json') return sendJson(res, 200, cursorPageJson(slice));
    return sendFormatted(res, query.format, slice.entries, pageHeaders(slice.cursor, slice.dropped, slice.total ?? 0));
  }
}

function sendFormatted(
  res: Response,
  format: 'ndjson' | 'text',
  entries: Parameters<typeof entriesText>[0],
  headers: Record<string, string>,
): void {
  const body = format === 'ndjson' ? entriesNdjson(entries) : entriesText(entries);
  res.status(200).set(headers).set('Content-Type', FORMAT_CONTENT_TYPES[format]).send(body);
}
