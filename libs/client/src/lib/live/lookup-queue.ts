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
 * Runs lookups at most `limit` at once, the others waiting in the order they were asked. One
 * whose signal aborts while it waits is dropped (it rejects with the signal's reason, never
 * asked); one aborted in flight frees its place at once, so that a lookup function that ignores
 * its signal cannot hold the others back.
 */
export class LookupQueue {
  private running = 0;
  /** What waits for a place, in order (a Set: one dropped leaves it at once). */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly limit = SESSION_LOOKUPS_IN_FLIGHT) {}

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
        const release = () => {
          if (done) return;
          done = true;
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
