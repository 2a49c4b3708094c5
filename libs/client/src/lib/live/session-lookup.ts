import { ApiError } from '../errors';
import type { SessionsClient } from '../rest/sessions-client';

/**
 * A followed session as the server has it now: its `created` (and `logCursor`, the entries ever
 * appended to its log, when known), or null when it has no such session.
 * `signal` aborts once the answer is no longer wanted (the follow stopped, the client closed), so
 * that a request in flight does not hold a process that is ending.
 */
export type SessionLookup = (
  id: string,
  signal: AbortSignal,
) => Promise<{ created: string; logCursor?: number } | null>;

/** The lookup a `sessionLookup` option means: a `SessionsClient`'s `GET /sessions/{id}`, a 404 as none. */
export function lookupOf(option: SessionsClient | SessionLookup | undefined): SessionLookup | null {
  if (!option) return null;
  if (typeof option === 'function') return option;
  return (id, signal) =>
    option.sessions.get(id, { signal }).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    });
}
