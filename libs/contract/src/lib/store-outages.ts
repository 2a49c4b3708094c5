/**
 * How the server words an outage of its session store (a `503`'s message, a WebSocket `error`
 * event, its own log), and how a client tells one from other errors (the dashboard's connection
 * indicator): one statement of each, so that the two cannot drift apart. `store` names it
 * (`Redis at host:port`).
 */

/** The store's connection is down. */
export function storeUnreachable(store: string, why: string): string {
  return `the session store (${store}) cannot be reached: ${why}`;
}

/** The store refused or failed a command (full, read-only, failing to persist, too slow). */
export function storeUnavailable(store: string, reason: string): string {
  return `the session store (${store}) is unavailable: ${reason}`;
}

/** The store's change feed to this replica is lost: live updates wait for it. */
export function storeFeedLost(store: string, why: string): string {
  return `the session store (${store}) change feed is lost: ${why}`;
}

const OUTAGE = /^the session store \(.*\) (cannot be reached|is unavailable|change feed is lost): /;

/** Whether `message` is one of the outages above. */
export function isStoreOutage(message: string): boolean {
  return OUTAGE.test(message);
}
