/**
 * Where the Redis stores keep everything, all under one prefix (REDIS_KEY_PREFIX).
 *
 * Per session, in one cluster hash slot (the `{id}` hash tag), so that one script can
 * change both atomically:
 * - `<prefix>{<id>}:session` — a hash: the session's fields, its log counters
 *   (`cursor`, `held`, `warn`, `error`) and bookkeeping (`order`, `version`, `beat`).
 * - `<prefix>{<id>}:log` — a stream: one stream entry per append, holding the batch's
 *   entries as columns, with the explicit id `<first seq>-1` (stream ids must be above
 *   0-0), so a read from a cursor starts at the batch `XREVRANGE <cursor>-1 - COUNT 1`
 *   finds, and trimming is an `XTRIM MINID` of the batch holding the first held entry.
 *   The fields are in stream-batch.ts: one `XADD` per batch costs Redis a quarter of the
 *   CPU one per entry did.
 * - `<prefix>{<id>}:levels` — a string, the levels ring: a digit per held entry at
 *   `seq mod capacity`, from which an append counts the levels it evicts and finds where
 *   batches start, without reading the stream (see the append script). The hash's `ring`
 *   and `head` go with it.
 *
 * Across sessions (each key in its own slot; touched by single-key commands only):
 * - `<prefix>sessions:active` — sorted set of active sessions, scored by creation order.
 * - `<prefix>sessions:ended` — sorted set of retained ended sessions, scored by end order
 *   (the retention queue: the lowest scores are forgotten first).
 * - `<prefix>sessions:idle` — sorted set of active client sessions, scored by `updated`
 *   as last indexed (it may lag behind the hash: the expiry script checks the real one).
 * - `<prefix>sessions:servers` — sorted set of active server sessions, scored by their
 *   replica's last heartbeat.
 * - `<prefix>sessions:order` — a counter giving each create and end its order.
 * - `<prefix>changes` — the pub/sub channel of the change feed.
 * - `<prefix>rate:<limit>:{<key>}` — a hash, the append rate limit `limit`'s bucket for `key` (a
 *   session id, a client address), shared by every replica: `tokens` and `at`; it expires as it
 *   refills (a full bucket is no key), the only keys with an expiry besides `ready`.
 * - `<prefix>ready` — written by every readiness probe (a write, so that a Redis refusing
 *   writes is not ready), expiring after a minute; it holds nothing of use. The probe also asks
 *   Redis's ACL about the keys of a session `ready` (see `probed`), writing none of them.
 */
export class RedisKeys {
  readonly active: string;
  readonly ended: string;
  readonly idle: string;
  readonly servers: string;
  readonly order: string;
  readonly changes: string;
  readonly ready: string;

  constructor(readonly prefix: string) {
    this.active = `${prefix}sessions:active`;
    this.ended = `${prefix}sessions:ended`;
    this.idle = `${prefix}sessions:idle`;
    this.servers = `${prefix}sessions:servers`;
    this.order = `${prefix}sessions:order`;
    this.changes = `${prefix}changes`;
    this.ready = `${prefix}ready`;
  }

  session(id: string): string {
    return `${this.prefix}{${id}}:session`;
  }

  log(id: string): string {
    return `${this.prefix}{${id}}:log`;
  }

  levels(id: string): string {
    return `${this.prefix}{${id}}:levels`;
  }

  /** The bucket of the rate limit `limit` for `key` (a session id, a client address). */
  bucket(limit: string, key: string): string {
    return `${this.prefix}rate:${limit}:{${key}}`;
  }

  /**
   * Keys and the channel as the store uses them, for the readiness probe to ask Redis's ACL about
   * (see READY): a session's hash, log stream and levels ring, a session list, the order counter,
   * a rate-limit bucket, the feed channel. None is written.
   */
  probed(): string[] {
    const id = 'ready';
    return [
      this.session(id),
      this.log(id),
      this.levels(id),
      this.active,
      this.order,
      this.bucket('ready', id),
      this.changes,
    ];
  }

  /** Every key a session's log is kept in. */
  logKeys(id: string): string[] {
    return [this.log(id), this.levels(id)];
  }
}
