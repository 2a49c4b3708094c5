/**
 * A URL as errors and messages show it, with a password given in it (`https://ci:secret@proxy/zen`,
 * for a proxy's Basic auth) as `***`: those lines end up in build logs and terminals. Everything
 * else is kept as given (not normalised by a URL parser), so the line names what was asked.
 */
export function shownUrl(url: string): string {
  // Up to the last @ before the path, as the URL parser splits them: a password typed with an @
  // in it (`ci:p@ss@proxy`) is hidden whole, and so is the password of a user name holding one.
  return url.replace(/^([a-z][a-z\d+.-]*:\/\/[^/?#:]*):[^/?#]*@/i, '$1:***@');
}
