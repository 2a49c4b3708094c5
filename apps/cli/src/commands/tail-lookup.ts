import {
  ApiError,
  Backoff,
  isRetryable,
  LookedUpSession,
  lookUpSession,
  SessionLookup,
  SessionsClient,
} from '@zen/client';
import type { Session } from '@zen/contract';
import { describe } from '../reporting';
import { QuietFailures } from './tail-quiet-failures';

/**
 * `GET /sessions/{id}` before `tail -f` follows, asked again while the server is away (no answer:
 * refused, reset, timed out; a `5xx` such as nginx's `502` with every replica down or a `503` while
 * its store is away; a `429`, after its `Retry-After`), with the live client's backoff (250 ms
 * doubling to 5 s), as the checks after a reconnect are. Silent for QUIET_MS (10 s), then one line
 * says what it waits for; nothing more until it answers. An answer that the session is not there or
 * not allowed (`404`, `401`, `403`, `400`) is thrown, and ends the command with exit 1 as before.
 */
export async function firstLookup(client: SessionsClient, id: string): Promise<Session> {
  const backoff = new Backoff({ initialMs: 250, maxMs: 5_000 });
  // It fails at every try: one line, of the latest failure.
  const unanswered = new QuietFailures('latest');
  unanswered.waiting();
  try {
    for (;;) {
      try {
        return await client.sessions.get(id);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        unanswered.failed(`cannot look up session ${id} to follow it (${describe(error)}); still trying`);
        const retryAfter = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
        await new Promise((done) => setTimeout(done, backoff.next(retryAfter)));
      }
    }
  } finally {
    unanswered.end();
  }
}

/**
 * The session lookup of the live client's checks after each reconnect, and the lines its failures
 * get: each one the live client tells (each different failure of a check, once), held as
 * `QuietFailures` holds them.
 */
export function checkReporter(client: SessionsClient): {
  lookup: SessionLookup;
  failed: (line: string) => void;
  end: () => void;
} {
  const unanswered = new QuietFailures('each');
  const lookup: SessionLookup = async (id, signal): Promise<LookedUpSession | null> => {
    unanswered.waiting();
    const session = await lookUpSession(client, id, signal);
    unanswered.succeeded();
    return session;
  };
  return { lookup, failed: (line) => unanswered.failed(line), end: () => unanswered.end() };
}
