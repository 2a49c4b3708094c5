import { parse, ParsedUrlQuery } from 'node:querystring';

/**
 * Every pair of a query string (the URL after `?`). Node's querystring, and so Express's
 * query parser, stops at 1000 pairs by default: a `cursor=-1`, a second `status` or a bad
 * value after a thousand unknown parameters would pass unseen. Node's header limit (16 KiB)
 * bounds the pairs anyway.
 */
export function parseAllPairs(search: string): ParsedUrlQuery {
  return parse(search, undefined, undefined, { maxKeys: 0 });
}
