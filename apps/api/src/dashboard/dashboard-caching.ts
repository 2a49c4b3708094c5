/** The options of `res.sendFile` that set its caching. */
export interface FileCaching {
  maxAge?: string;
  immutable?: boolean;
  cacheControl?: boolean;
  headers?: Record<string, string>;
}

/** index.html and every file not named after its content: browsers ask again (a 304 if unchanged) on each use. */
export const REVALIDATE = 'no-cache';

/** A name the build gave after the content (`main-3QB2GZ6R.js`, `media/font-2W5NQKJ4.woff2`). */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/**
 * How long browsers may keep a file of the built dashboard. The build names its scripts,
 * styles and media after their content, so such a file never changes: kept a year, immutable.
 * Every other file (favicon.ico, the licences) is revalidated on each use, as index.html is:
 * a page kept from before a redeploy would ask for the old build's files, gone by then.
 */
export function cachingOf(path: string): FileCaching {
  if (HASHED_NAME.test(path)) return { maxAge: '1y', immutable: true };
  return { cacheControl: false, headers: { 'Cache-Control': REVALIDATE } };
}
