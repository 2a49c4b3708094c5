import { ApiError } from '../errors';
import type { SessionsClient } from '../rest/sessions-client';

/**
 * What a lookup tells of a followed session: its `created`, and `logCursor` (the entries ever
 * appended to its log) when known.
 */
export interface LookedUpSession {
  created: string;
  logCursor?: number;
}

/**
 * A followed session as the server has it now, or null when it has no such session.
 * `signal` aborts once the answer is no longer wanted (the follow stopped, the client closed), so
 * that a request in flight does not hold a process that is ending.
 */
export type SessionLookup = (id: string, signal: AbortSignal) => Promise<LookedUpSession | null>;

/** The lookup a `sessionLookup` option means: `lookUpSession` with a `SessionsClient`. */
export function lookupOf(option: SessionsClient | SessionLookup | undefined): SessionLookup | null {
  if (!option) return null;
  if (typeof option === 'function') return option;
  return (id, signal) => lookUpSession(option, id, signal);
}

/**
 * `GET /sessions/{id}` (a 404: none) for its `created`, then the log's own cursor (an offset read
 * of no entry). Not the session's `logCursor`: an append's counters are recorded on the session
 * after its entries are pushed to followers (and not at all by a replica that dies in between), so
 * it may be behind what a follow has seen, where the log's cursor never is.
 */
export async function lookUpSession(
  client: SessionsClient,
  id: string,
  signal: AbortSignal,
): Promise<Required<LookedUpSession> | null> {
  try {
    const { created } = await client.sessions.get(id, { signal });
    const { cursor } = await client.logs.page(id, { limit: 0 }, { signal });
    return { created, logCursor: cursor };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
