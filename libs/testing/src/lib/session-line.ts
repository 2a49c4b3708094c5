/**
 * The session id in what `zen-sessions run` printed on stderr (its `session <oid>` line), or
 * undefined before that line. Self-contained: the bench imports it through typescript-import.mjs.
 */
export function sessionIdIn(stderr: string): string | undefined {
  return /session ([0-9a-f]{24})/.exec(stderr)?.[1];
}

/** The session id in what `zen-sessions run` printed on stderr; throws, showing that stderr, without one. */
export function sessionIdOf(stderr: string): string {
  const id = sessionIdIn(stderr);
  if (id === undefined) throw new Error(`no session id in:\n${stderr}`);
  return id;
}
