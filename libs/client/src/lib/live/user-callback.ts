/**
 * Calls one of the user's callbacks (a follow's handler, a sessions listener, `onConnection`,
 * `onServerError`, `onLookupError`). What it throws does not stop the client: the client goes on as if it had
 * returned (the entries it was given count as delivered), and the error is thrown again on its
 * own, as an event listener's would be, an uncaught exception (in Node, `uncaughtException`).
 * Thrown where it was called, it would unwind through the socket's message handling: `ws` then
 * reads nothing more from that socket, and every follow and listener on it stalls for good in a
 * process that survives uncaught exceptions; or, thrown before a reconnect had resubscribed,
 * it would leave the follows unsubscribed.
 */
export function callUser<A extends unknown[]>(callback: ((...args: A) => unknown) | undefined, ...args: A): void {
  if (!callback) return;
  try {
    callback(...args);
  } catch (error) {
    throwOnItsOwn(error);
  }
}

/** Throws `error` after this turn, on its own: an uncaught exception that unwinds nothing of the client's. */
export function throwOnItsOwn(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
