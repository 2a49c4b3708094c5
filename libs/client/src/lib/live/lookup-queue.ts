/**
 * The most session lookups a live client (its extra connections past WS_MAX_SUBSCRIPTIONS
 * included) has in flight at once. After a reconnect every follow is looked up: 2,000 follows
 * would be 2,000 requests at once (each lookup of a `SessionsClient` is two, one after the other),
 * sent to a server that has just restarted, at the moment all its other clients reconnect too.
 * Eight keep a few requests queued on the server without a burst (a browser opens no more than
 * six connections to a host anyway, the others waiting in the browser); a fixed number, not an
 * option: more would only move the queue from the client to the server.
 */
export const SESSION_LOOKUPS_IN_FLIGHT = 8;

/**
 * How long a lookup holds its place before the next one may start (it goes on, and its answer is
 * still taken): the command line's request timeout, shorter than a `SessionsClient`'s default
 * (DEFAULT_TIMEOUT_MS, 30 s), so a lookup through one may still be waiting for its answer when the
 * next starts. A lookup function of the user's that never settles, for a follow still wanted
 * (nothing aborts it), would otherwise hold its place for good, and 8 of them every other follow's
 * check.
 */
const LOOKUP_PLACE_MS = 10_000;

/**
 * Runs lookups at most `limit` at once, the others waiting in the order they were asked. One
 * whose signal aborts while it waits is dropped (it rejects with the signal's reason, never
 * asked); one aborted in flight frees its place at once, and one in flight for `placeMs` frees it
 * then, so that a lookup function that ignores its signal, or never settles, cannot hold the
 * others back.
 */
export class LookupQueue {
  private running = 0;
  /** What waits for a place, in order (a Set: one dropped leaves it at once). */
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly limit = SESSION_LOOKUPS_IN_FLIGHT,
    private readonly placeMs = LOOKUP_PLACE_MS,
  ) {}

  /** Asks `task` once a place is free, unless `signal` aborts first. */
  run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const dropped = () => {
        this.waiting.delete(start);
        reject(signal.reason);
      };
      const start = () => {
        signal.removeEventListener('abort', dropped);
        this.running++;
        let done = false;
        const overdue = setTimeout(() => release(), this.placeMs);
        // A pending lookup's place must not keep a process alive that has nothing else to do.
        (overdue as { unref?: () => void }).unref?.();
        const release = () => {
          if (done) return;
          done = true;
          clearTimeout(overdue);
          signal.removeEventListener('abort', release);
          this.running--;
          // Later: close() and stop() end the checks one by one, and the ones waiting behind a
          // lookup aborted now are about to be dropped; none is to be asked on its way out.
          queueMicrotask(() => this.next());
        };
        signal.addEventListener('abort', release, { once: true });
        // A lookup that throws rather than rejects has not answered either.
        new Promise<T>((settle) => settle(task())).then(resolve, reject).finally(release);
      };
      this.waiting.add(start);
      signal.addEventListener('abort', dropped, { once: true });
      this.next();
    });
  }

  private next(): void {
    for (const start of this.waiting) {
      if (this.running >= this.limit) return;
      this.waiting.delete(start);
      start();
    }
  }
}
