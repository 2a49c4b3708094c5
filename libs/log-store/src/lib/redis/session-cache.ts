import { SessionRecord } from '../session-record';

/** A listed session as the cache keeps it: the record (its `order` breaks ties of `created` in a listing) and its end order. */
export interface ListedSession {
  record: SessionRecord;
  /** Its score in the ended index (0 while active). */
  endOrder: number;
}

/** Marks a copy being read from Redis: a change announced meanwhile forgets it, and the read is not kept. */
class Reading {}

/**
 * This replica's copies of the sessions it listed, so that a listing reads from Redis
 * only the sessions that changed since the last one instead of every session hash.
 * Kept right across replicas by the change feed: every script that changes a session
 * publishes its id, and `forget` drops that copy. A listing first asks `caughtUp`,
 * which waits until the feed has delivered everything published before the call (a
 * PING on the subscribed connection answers only after those messages), so it sees
 * every change acknowledged to anyone before it began. While the feed is down the
 * copies are dropped and unused (`caughtUp` answers false), and a lost feed drops them
 * all (`clear`), since its messages were missed.
 */
export class SessionCache {
  private copies = new Map<string, ListedSession | Reading>();

  constructor(private readonly feedCaughtUp: () => Promise<boolean>) {}

  /** Whether copies may be used now; false while the feed is down (read everything from Redis). */
  async caughtUp(): Promise<boolean> {
    return this.feedCaughtUp();
  }

  get(id: string): ListedSession | undefined {
    const copy = this.copies.get(id);
    return copy instanceof Reading ? undefined : copy;
  }

  /** Marks the start of a read of this session from Redis; give the answer to `keep`. */
  reading(id: string): Reading {
    const reading = new Reading();
    this.copies.set(id, reading);
    return reading;
  }

  /** Keeps what a read answered, unless the session changed (or the feed was lost) since it began. */
  keep(id: string, reading: Reading, listed: ListedSession | undefined): void {
    if (this.copies.get(id) !== reading) return;
    if (listed) this.copies.set(id, listed);
    else this.copies.delete(id);
  }

  /** The session changed, through any replica. */
  forget(id: string): void {
    this.copies.delete(id);
  }

  /** Drops the copies of sessions no longer listed (forgotten by a replica that died before saying so). */
  retainOnly(ids: Set<string>): void {
    for (const id of this.copies.keys()) if (!ids.has(id)) this.copies.delete(id);
  }

  /** The feed was lost: any copy may be stale. */
  clear(): void {
    this.copies = new Map();
  }
}
