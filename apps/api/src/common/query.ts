import { BadRequestException } from '@nestjs/common';
import { ParsedUrlQuery } from 'node:querystring';

/**
 * A query parameter that may appear at most once and never empty
 * (`?cursor=` is a 400, as is `?cursor=1&cursor=2`). Undefined when absent.
 */
export function singleQueryValue(query: ParsedUrlQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestException(`${name} must be given once`);
  if (value === '') throw new BadRequestException(`${name} must not be empty`);
  return value;
}

/** A non-negative integer query parameter, at most `max`. */
export function intQueryValue(query: ParsedUrlQuery, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = singleQueryValue(query, name);
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) throw new BadRequestException(`${name} must be a non-negative integer`);
  if (value > max) throw new BadRequestException(`${name} must be at most ${max}`);
  return value;
}
