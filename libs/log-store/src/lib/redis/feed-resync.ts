import { RedisConnection } from './redis-connection';
import { RedisLogStore } from './redis-log-store';
import { RedisSessionRegistry } from './redis-session-registry';

/** Pause between attempts when Redis answers the resync's reads with a failure while connected. */
const RETRY_MS = 100;

/**
 * After the change feed was lost and is back, every session may have moved: tells the
 * listeners about each (a follower reads from its own cursor, so a session that did not
 * move costs one read).
 *
 * The feed's connection and the command connection reconnect each on its own backoff, so
 * the feed may be back first. A resync then waits for the command connection instead of
 * giving up: given up, the entries appended through other replicas while the feed was away
 * stayed unannounced to this replica's followers until the session's next append.
 */
export class FeedResync {
  /** Each resync's number; a newer one, or close(), supersedes those before it. */
  private generation = 0;

  constructor(
    private readonly sessions: RedisSessionRegistry,
    private readonly logs: RedisLogStore,
    private readonly connection: RedisConnection,
  ) {}

  /** Announces every session once the command connection can read them. */
  run(): Promise<void> {
    return this.announceAll(++this.generation);
  }

  /** Stops a resync in progress (the stores are closing). */
  close(): void {
    this.generation++;
  }

  private async announceAll(generation: number): Promise<void> {
    while (generation === this.generation) {
      await this.connection.whenReady();
      if (generation !== this.generation) return;
      try {
        const cursors = await this.cursors();
        cursors.forEach(([id, cursor]) => {
          if (cursor !== null) this.logs.emitAppended(id, Number(cursor));
          this.sessions.emitChange({ kind: 'updated', id });
        });
        // Only listed sessions were announced: a followed one Redis lost is not among them.
        this.logs.emitResynced();
        return;
      } catch {
        // Lost again, or too slow: try again once the connection is (still) up.
        await new Promise((done) => setTimeout(done, RETRY_MS).unref());
      }
    }
  }

  /** Every listed session and its log's cursor (null: it has no log). */
  private async cursors(): Promise<[string, string | null][]> {
    const ids = await this.sessions.ids();
    const { client, keys } = this.connection;
    const cursors = await this.connection.run(() =>
      Promise.all(ids.map((id) => client.hGet(keys.session(id), 'cursor'))),
    );
    return ids.map((id, i) => [id, cursors[i]]);
  }
}
