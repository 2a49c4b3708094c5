import { ApiError, Backoff, isRetryable, SessionsClient } from '@zen/client';
import type { Session } from '@zen/contract';
import { describe, warn } from '../reporting';
import { CHECK_QUIET_MS } from './tail-check-report';

/**
 * `GET /sessions/{id}` before `tail -f` follows, asked again while the server is away (no answer:
 * refused, reset, timed out; a `5xx` such as nginx's `502` with every replica down or a `503` while
 * its store is away; a `429`, after its `Retry-After`), with the live client's backoff (250 ms
 * doubling to 5 s), as the checks after a reconnect are. Silent for CHECK_QUIET_MS, then one line
 * says what it waits for; nothing more until it answers. An answer that the session is not there or
 * not allowed (`404`, `401`, `403`, `400`) is thrown, and ends the command with exit 1 as before.
 */
export async function firstLookup(client: SessionsClient, id: string): Promise<Session> {
  const backoff = new Backoff({ initialMs: 250, maxMs: 5_000 });
  const since = Date.now();
  let last: unknown = null;
  let told = false;
  const tell = () => {
    if (told || last === null) return;
    told = true;
    warn(`cannot look up session ${id} to follow it (${describe(last)}); still trying`);
  };
  // A request that hangs until its timeout is no reason to stay silent past the quiet time.
  const quiet = setTimeout(tell, CHECK_QUIET_MS);
  try {
    for (;;) {
      try {
        return await client.sessions.get(id);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        last = error;
        if (Date.now() - since >= CHECK_QUIET_MS) tell();
        const retryAfter = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
        await new Promise((done) => setTimeout(done, backoff.next(retryAfter)));
      }
    }
  } finally {
    clearTimeout(quiet);
  }
}
