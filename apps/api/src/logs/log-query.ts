import { BadRequestException } from '@nestjs/common';
import { Limits, LogFormat, LogLevel } from '@zen/contract';
import { logQuerySchema } from '@zen/contract/schemas';
import { ParsedUrlQuery, unescape } from 'node:querystring';
import { ContractValidator } from '../common/contract-validator';
import { parseAllPairs } from '../common/query-string';
import { CursorRead, PageRead } from '@zen/log-store';

/** A validated `GET /sessions/{id}/log` query. */
export type LogQuery =
  | { mode: 'cursor'; read: CursorRead; format: LogFormat }
  | { mode: 'offset'; read: PageRead; format: LogFormat };

type QueryLimits = Pick<Limits, 'readMaxLimit' | 'offsetDefaultLimit'>;

/** Distinct valid query strings whose parsed query is kept; past it the cache starts over. */
const CACHED_QUERIES = 1024;
/** Longer query strings are parsed every time: the cache holds at most ~CACHED_QUERIES × this many characters. */
const CACHED_QUERY_LENGTH = 256;

/** Reads log queries against the contract's schema with the configured limits (built once per server). */
export class LogQueryParser {
  private readonly validator: ContractValidator<ReturnType<typeof logQuerySchema>>;
  /**
   * Parsed queries by their query string: readers repeat theirs (a follower's next cursor, a
   * page, a filter), and a repeat then costs a lookup instead of a parse and a schema check.
   * Frozen, as every request with that string shares them.
   */
  private readonly cache = new Map<string, LogQuery>();

  /** The query's parameters (others are ignored). */
  private readonly parameters: ReadonlySet<string>;

  constructor(private readonly limits: QueryLimits) {
    const schema = logQuerySchema(limits);
    this.validator = new ContractValidator(schema);
    this.parameters = new Set(Object.keys(schema.properties));
  }

  /** `parse` of a raw query string (the URL after `?`, or empty); a 400 is never cached. */
  parseString(search: string): LogQuery {
    let query = this.cache.get(search);
    if (query) return query;
    if (search.includes('%')) assertUtf8Values(search, this.parameters);
    query = this.parse(parseAllPairs(search));
    Object.freeze(query.read);
    Object.freeze(query);
    if (search.length > CACHED_QUERY_LENGTH) return query;
    if (this.cache.size >= CACHED_QUERIES) this.cache.clear();
    this.cache.set(search, query);
    return query;
  }

  /**
   * Offset mode when `offset` is given, or `limit` without `cursor`; cursor mode
   * otherwise, from 0 by default.
   */
  parse(query: ParsedUrlQuery): LogQuery {
    const { cursor, offset, limit, level, q, format = 'json' } = this.validator.parseQuery(query);
    if (cursor !== undefined && offset !== undefined) {
      throw new BadRequestException('cursor and offset cannot be combined: use cursor mode or offset mode');
    }
    const filter = { minLevel: level as LogLevel | undefined, text: q };
    if (offset !== undefined || (limit !== undefined && cursor === undefined)) {
      const read: PageRead = {
        ...filter,
        offset: offset ?? 0,
        limit: limit ?? Math.min(this.limits.offsetDefaultLimit, this.limits.readMaxLimit),
      };
      return { mode: 'offset', read, format };
    }
    return { mode: 'cursor', read: { ...filter, cursor: cursor ?? 0, limit }, format };
  }
}

/**
 * querystring decodes bytes that are not UTF-8 as U+FFFD, so `q=%C3` would search for that
 * character: a value of the query's that is not percent-encoded UTF-8 is a 400 instead, named.
 */
function assertUtf8Values(search: string, parameters: ReadonlySet<string>): void {
  for (const pair of search.split('&')) {
    const equals = pair.indexOf('=');
    const name = unescape(pair.slice(0, equals));
    if (equals === -1 || !parameters.has(name)) continue;
    try {
      decodeURIComponent(pair.slice(equals + 1).replace(/\+/g, ' '));
    } catch {
      throw new BadRequestException(`${name} is not valid percent-encoded UTF-8`);
    }
  }
}
