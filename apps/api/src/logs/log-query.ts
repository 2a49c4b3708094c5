import { BadRequestException } from '@nestjs/common';
import { Limits, LOG_FORMATS, LOG_LEVELS, LogFormat, LogLevel } from '@zen/contract';
import { ParsedUrlQuery } from 'node:querystring';
import { intQueryValue, singleQueryValue } from '../common/query';
import { CursorRead, LogFilter, PageRead } from '@zen/log-store';

/** A validated `GET /sessions/{id}/log` query. */
export type LogQuery =
  | { mode: 'cursor'; read: CursorRead; format: LogFormat }
  | { mode: 'offset'; read: PageRead; format: LogFormat };

/**
 * Offset mode when `offset` is given, or `limit` without `cursor`; cursor mode
 * otherwise, from 0 by default.
 */
export function parseLogQuery(
  query: ParsedUrlQuery,
  limits: Pick<Limits, 'readMaxLimit' | 'offsetDefaultLimit'>,
): LogQuery {
  const cursor = intQueryValue(query, 'cursor');
  const offset = intQueryValue(query, 'offset');
  const limit = intQueryValue(query, 'limit', limits.readMaxLimit);
  const filter = parseFilter(query);
  const format = parseFormat(query);
  if (cursor !== undefined && offset !== undefined) {
    throw new BadRequestException('cursor and offset cannot be combined: use cursor mode or offset mode');
  }
  if (offset !== undefined || (limit !== undefined && cursor === undefined)) {
    const read: PageRead = {
      ...filter,
      offset: offset ?? 0,
      limit: limit ?? Math.min(limits.offsetDefaultLimit, limits.readMaxLimit),
    };
    return { mode: 'offset', read, format };
  }
  return { mode: 'cursor', read: { ...filter, cursor: cursor ?? 0, limit }, format };
}

function parseFilter(query: ParsedUrlQuery): LogFilter {
  const level = singleQueryValue(query, 'level');
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
    throw new BadRequestException(`level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return { minLevel: level as LogLevel | undefined, text: singleQueryValue(query, 'q') };
}

function parseFormat(query: ParsedUrlQuery): LogFormat {
  const format = singleQueryValue(query, 'format') ?? 'json';
  if (!LOG_FORMATS.includes(format as LogFormat)) {
    throw new BadRequestException(`format must be one of ${LOG_FORMATS.join(', ')}`);
  }
  return format as LogFormat;
}
