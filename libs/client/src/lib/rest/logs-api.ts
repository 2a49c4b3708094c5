import {
  AppendResult,
  DEFAULT_LIMITS,
  LOG_HEADERS,
  LogCursorPage,
  LogEntryInput,
  LogLevel,
  LogOffsetPage,
} from '@zen/contract';
import { ApiError, UnexpectedResponseError } from '../errors';
import { namedMessageLimit } from '../server-answers';
import { splitUtf8, utf8Length } from '../utf8';
import { Http, RequestSpec } from './http';

const path = (id: string) => `/sessions/${encodeURIComponent(id)}/log`;

/** The server's filters: at least this severe, message containing the text (case-insensitive). */
export interface LogFilters {
  level?: LogLevel;
  q?: string;
}

export interface CursorQuery extends LogFilters {
  cursor?: number;
  limit?: number;
}

export interface OffsetQuery extends LogFilters {
  offset?: number;
  limit?: number;
}

/** A log read in the `ndjson` or `text` format: the body and the figures the headers carry. */
export interface LogDownload {
  body: string;
  cursor: number;
  dropped: number;
  total: number;
}

/** An append whose body is serialised already (`{"entries":[…]}`): the session logger's batches. */
export function appendJsonRequest(id: string, json: string | Uint8Array<ArrayBuffer>): RequestSpec {
  return { method: 'POST', path: path(id), json };
}

/** The log endpoints of one session: read (cursor, offset, downloads) and append (JSON, text). */
export class LogsApi {
  constructor(private readonly http: Http) {}

  /** Cursor mode: the held entries with `seq >= cursor`, oldest first. */
  read(id: string, query: CursorQuery = {}): Promise<LogCursorPage> {
    return this.http.json({
      method: 'GET',
      path: path(id),
      query: { cursor: query.cursor ?? 0, ...filters(query), limit: query.limit },
    });
  }

  /** Offset mode: a page of the held entries that pass the filters; `signal` aborts it. */
  page(id: string, query: OffsetQuery = {}, options: { signal?: AbortSignal } = {}): Promise<LogOffsetPage> {
    return this.http.json({
      method: 'GET',
      path: path(id),
      query: { offset: query.offset ?? 0, limit: query.limit, ...filters(query) },
      signal: options.signal,
    });
  }

  /**
   * Every held entry from `cursor` on, oldest first. Without `limit` one read, as the server
   * returns a cursor read without a limit whole (up to the log's capacity) whatever its
   * `MAX_READ_LIMIT`; with `limit` (at most the server's maximum, or it answers 400) in pages
   * of that many until a shorter page. Stops too when the cursor does not move (`limit: 0`).
   */
  async readAll(id: string, query: CursorQuery = {}): Promise<LogCursorPage> {
    const all: LogCursorPage = { entries: [], cursor: query.cursor ?? 0, dropped: 0 };
    for (;;) {
      const page = await this.read(id, { ...query, cursor: all.cursor });
      all.entries.push(...page.entries);
      all.dropped += page.dropped;
      const moved = page.cursor !== all.cursor;
      all.cursor = page.cursor;
      if (query.limit === undefined || page.entries.length < query.limit || !moved) return all;
    }
  }

  /**
   * The same selection as `read`/`page`, in the `ndjson` or `text` format, its body read as text
   * (see `downloadResponse`).
   */
  async download(id: string, format: 'ndjson' | 'text', query: CursorQuery & OffsetQuery = {}): Promise<LogDownload> {
    const response = await this.downloadResponse(id, format, query);
    const figure = (name: string) => Number(response.headers.get(name) ?? 0);
    return {
      body: await response.text(),
      cursor: figure(LOG_HEADERS.cursor),
      dropped: figure(LOG_HEADERS.dropped),
      total: figure(LOG_HEADERS.total),
    };
  }

  /**
   * The same as `download`, the answer's body not read yet: a `Response` to stream, or to save as
   * a `Blob` in a browser (kept outside the page's heap, on disk when large), its figures in the
   * `X-Log-*` headers. An answer without the log's cursor header is not a log (an HTML page: the
   * server URL is not the sessions server's), and is an `UnexpectedResponseError` rather than text
   * taken for log lines.
   */
  async downloadResponse(
    id: string,
    format: 'ndjson' | 'text',
    query: CursorQuery & OffsetQuery = {},
  ): Promise<Response> {
    const spec = { method: 'GET', path: path(id), query: { ...query, format } } as const;
    const response = await this.http.send(spec);
    if (response.headers.get(LOG_HEADERS.cursor) === null) {
      await response.body?.cancel();
      const url = this.http.url(spec.path, spec.query);
      const contentType = response.headers.get('content-type');
      const expected = `a log download (no ${LOG_HEADERS.cursor} header)`;
      throw new UnexpectedResponseError('GET', url, response.status, contentType, this.http.server, expected);
    }
    return response;
  }

  /** Appends entries (one request, all or nothing). */
  append(id: string, entries: LogEntryInput | LogEntryInput[]): Promise<AppendResult> {
    return this.http.json({ method: 'POST', path: path(id), body: Array.isArray(entries) ? { entries } : entries });
  }

  /**
   * Appends one entry, its message split into several entries (each with the entry's level, data
   * and time) where it is longer than the server takes, as the session logger splits a long line:
   * at the contract's default message limit, at a smaller one the server's `400` names, or (a
   * `413`: a MAX_BODY_BYTES below the message limit) at half the size refused, until a piece fits.
   * Every piece but the last is full, so a server that refuses one refuses the first, before
   * anything is appended. Resolves with the last append's result.
   */
  async appendMessage(id: string, entry: LogEntryInput): Promise<AppendResult> {
    let limit = DEFAULT_LIMITS.messageMaxBytes;
    for (;;) {
      try {
        let result: AppendResult | undefined;
        for (const message of splitUtf8(entry.message, limit)) result = await this.append(id, { ...entry, message });
        return result as AppendResult;
      } catch (error) {
        const tooLarge = error instanceof ApiError && error.status === 413;
        const halved = tooLarge ? Math.floor(Math.min(limit, utf8Length(entry.message)) / 2) : 0;
        const smaller = namedMessageLimit(error) ?? halved;
        if (smaller < 4 || smaller >= limit) throw error;
        limit = smaller;
      }
    }
  }

  /** Appends a body serialised already as `{"entries":[…]}` (one request, all or nothing). */
  appendJson(id: string, json: string | Uint8Array<ArrayBuffer>): Promise<AppendResult> {
    return this.http.json(appendJsonRequest(id, json));
  }

  /** Appends every non-blank line of `text` at `info`. */
  appendText(id: string, text: string): Promise<AppendResult> {
    return this.http.json({ method: 'POST', path: path(id), text });
  }
}

function filters(query: LogFilters): LogFilters {
  return { level: query.level, q: query.q };
}
