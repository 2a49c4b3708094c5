import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config';
import { sendBody, sendJson } from '../common/response-body';
import { sessionIdParam } from '../common/oid.pipe';
import { UnsentResponses } from '../common/unsent-responses';
import { ClientAddresses } from '../common/client-addresses';
import { RawRoute, RouteParams } from '../http/raw-route.decorator';
import { RequestBodyReader } from '../common/request-body';
import {
  ApiAppendRateLimited,
  ApiError,
  ApiReadRetryLater,
  ApiErrors,
  ApiInput,
  ApiJson,
  ApiLogPage,
  ApiQueryOf,
  ApiSessionId,
} from '../openapi/api-docs.decorators';
import { appendBatch, FORMAT_CONTENT_TYPES, pageHeaders, readAppendBody } from '@zen/log-store';
import { LogQuery, LogQueryParser } from './log-query';
import { LogsService, ReadBody } from './logs.service';
import { AppendRateLimit } from './append-rate-limit';

const APPEND_TYPES = ['text/plain', 'application/json'] as const;

/**
 * Session logs. Both routes are hot paths and raw routes: the HTTP pipeline calls them
 * without Express or Nest in between. They read the raw body once and write
 * pre-serialised JSON straight to the response, using only Node's request and response.
 */
@ApiTags('logs')
@ApiErrors(401, 503)
@Controller('sessions/:id/log')
export class LogsController {
  constructor(
    private readonly config: AppConfig,
    private readonly logs: LogsService,
    private readonly bodies: RequestBodyReader,
    private readonly rateLimit: AppendRateLimit,
    private readonly unsent: UnsentResponses,
    private readonly clients: ClientAddresses,
  ) {
    this.queries = new LogQueryParser(config.limits);
  }

  private readonly queries: LogQueryParser;

  @Post()
  @RawRoute()
  @ApiSessionId()
  // Not required: an empty text body is an append of no entries (README), answered 200.
  @ApiInput({ 'application/json': 'LogAppendInput', 'text/plain': 'LogTextInput' }, false)
  @ApiJson(200, 'Appended; cursor is the new logCursor', 'AppendResult')
  @ApiErrors(400, 403, 404, 409, 413, 415)
  @ApiAppendRateLimited()
  async append(@Req() req: IncomingMessage, @Res() res: ServerResponse, @Param() params: RouteParams): Promise<void> {
    const id = sessionIdParam(params['id']);
    const client = this.clients.of(req);
    // A body declared non-empty meets an empty bucket before it is read: refused whatever it
    // holds (an empty append, a sign of life, always passes; a chunked one is counted below).
    const refused = Number(req.headers['content-length']) > 0 ? this.refuseWhenEmpty(id, client) : undefined;
    if (refused) await refused;
    const body = await this.bodies.read(req, APPEND_TYPES, false, res);
    // Our clients' batch is read straight from the bytes; any other JSON body (or a bad one,
    // for its exact error) is parsed, before the session check as always.
    const read = readAppendBody(body.bytes, body.ascii, body.mediaType === 'application/json', this.config.limits);
    // The memory store answers these at once: awaiting only what is a promise keeps the
    // hottest route free of microtask round trips (docs/performance.md).
    const checked = this.logs.writable(id);
    const session = checked instanceof Promise ? await checked : checked;
    const batch = appendBatch(read, this.config.limits, Date.now());
    const appended = this.logs.append(id, batch, { address: client, session });
    const cursor = typeof appended === 'number' ? appended : await appended;
    sendJson(res, 200, `{"appended":${batch.messages.length},"cursor":${cursor}}`);
  }

  /** 429 when the session's or client's append budget is spent; 404/403/409 first, as for any append. */
  private refuseWhenEmpty(id: string, client: string): Promise<void> | undefined {
    const firstWritable = (refused: unknown): Promise<never> => {
      const checked = this.logs.writable(id);
      if (checked instanceof Promise) return checked.then(() => Promise.reject(refused));
      throw refused;
    };
    try {
      // Buckets a shared store holds answer later (a promise); this process's at once.
      const refusing = this.rateLimit.refuseWhenEmpty(id, client);
      return refusing ? refusing.catch(firstWritable) : undefined;
    } catch (refused) {
      return firstWritable(refused);
    }
  }

  @Get()
  @RawRoute()
  @ApiSessionId()
  @ApiQueryOf('LogQuery', ['cursor', 'offset', 'limit', 'level', 'q', 'format'])
  @ApiLogPage()
  @ApiError(
    400,
    'A bad id or query: cursor with offset, a number that is no non-negative integer, limit above ' +
      'MAX_READ_LIMIT, an unknown level or format, a parameter empty or given twice',
  )
  @ApiErrors(404)
  @ApiReadRetryLater()
  async read(@Req() req: IncomingMessage, @Res() res: ServerResponse, @Param() params: RouteParams): Promise<void> {
    const id = sessionIdParam(params['id']);
    // As on append: the memory store and registry answer at once, and a read awaits only a promise.
    const readable = this.logs.readable(id);
    let query: LogQuery;
    try {
      query = this.queries.parseString(searchOf(req));
    } catch (invalid) {
      if (readable instanceof Promise) await readable; // a missing session answers 404 before a bad query's 400
      throw invalid;
    }
    const reading =
      query.mode === 'offset'
        ? this.logs.readPage(id, query.read, query.format)
        : this.logs.readCursor(id, { ...query.read, withTotal: query.format !== 'json' }, query.format);
    if (readable instanceof Promise) {
      // A shared store: the session check and the read went out together (one round trip, not
      // two); a missing session still answers 404, whatever the read says.
      if (reading instanceof Promise) reading.catch(() => undefined);
      await readable;
    }
    const answer = reading instanceof Promise ? await reading : reading;
    try {
      this.unsent.admit(req, res, Buffer.byteLength(answer.body));
    } catch (refused) {
      answer.release?.();
      throw refused;
    }
    // A body from the store's recycled buffers goes back for the next read once it has been written.
    if (answer.release) res.once('finish', answer.release);
    if (query.format === 'json') return sendJson(res, 200, answer.body);
    sendFormatted(res, query.format, answer);
  }
}

/** The request's query string, without the `?` (empty when there is none). */
function searchOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start + 1);
}

function sendFormatted(res: ServerResponse, format: 'ndjson' | 'text', answer: ReadBody): void {
  const headers = pageHeaders(answer.cursor, answer.dropped, answer.total ?? 0);
  sendBody(res, 200, FORMAT_CONTENT_TYPES[format], answer.body, headers);
}
