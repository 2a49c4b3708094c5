import { StoreUnavailableError } from '../errors';
import { endedLine, onLateEnds, SessionRecord } from '../session-record';
import { StoresOptions } from '../stores';
import { RedisConnection, RedisConnectionOptions } from './redis-connection';
import { RedisSessionRegistry } from './redis-session-registry';

/** How long a replica may stay silent before the others end its server session (the contract's 30 s). */
const SERVER_SILENCE_MS = 30_000;

export interface ServerLivenessOptions {
  /** Period of this replica's heartbeat on its server sessions (well under SERVER_SILENCE_MS). */
  heartbeatMs?: number;
  /** How long a silent replica's server session lives on (SERVER_SILENCE_MS; tests shorten it). */
  serverSilenceMs?: number;
  /**
   * Whoever made the server sessions looks for them itself and says when Redis lost one (the API's
   * ServerSession, which makes another): the heartbeat then stops beating a lost one without a
   * word, so that the loss is told once. One that another replica ended is told still.
   */
  lostServerSessionsToldByOwner?: boolean;
}

/**
 * The server sessions of this replica and of the others: a heartbeat keeps this
 * replica's alive; a sweep ends, as expired, those of replicas silent for
 * SERVER_SILENCE_MS (each exactly once, whichever replica sees it first); stopping
 * ends this replica's own with endReason `stopped`.
 */
export class ServerLiveness {
  private readonly timers: NodeJS.Timeout[] = [];
  /**
   * When this replica last found Redis unreachable or refusing its writes (undefined: not
   * yet). A silence that overlaps such a fault is the fault's, not a dead replica's: every
   * replica's heartbeat was refused alike (Redis full, failing to persist, read-only, away),
   * and a sweep just after it ended would expire them all before they beat again. So no
   * replica is expired until SERVER_SILENCE_MS after the last trouble seen.
   */
  private troubleAt: number | undefined;

  constructor(
    private readonly sessions: RedisSessionRegistry,
    private readonly connection: RedisConnection,
    private readonly options: StoresOptions & ServerLivenessOptions & Pick<RedisConnectionOptions, 'onEvent'>,
  ) {
    const silence = options.serverSilenceMs ?? SERVER_SILENCE_MS;
    const heartbeat = options.heartbeatMs ?? Math.min(10_000, silence / 3);
    this.every(heartbeat, () => this.beat());
    this.every(Math.min(5_000, silence / 3), () => this.sweep(silence));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const silence = this.options.serverSilenceMs ?? SERVER_SILENCE_MS;
    for (const id of this.sessions.ownServers) {
      try {
        await this.sessions.end(id, 'stopped');
      } catch (error) {
        // What happens to it instead: a stalled Redis may still run the end; else, as for a
        // replica that died, the others expire it.
        const late = error instanceof StoreUnavailableError && error.late ? ' (Redis may still complete it)' : '';
        this.options.onEvent?.(
          `could not end server session ${id} as stopped${late}: ${(error as Error).message}; ` +
            `any running replica ends it as expired once it has been silent for ${silence / 1000} s`,
        );
      }
    }
  }

  private every(ms: number, run: () => Promise<void>): void {
    const timer = setInterval(() => void run().catch(() => this.trouble()), ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async beat(): Promise<void> {
    for (const id of this.sessions.ownServers) {
      const beat = await this.sessions.beat(id);
      if (beat === 'ok') continue;
      this.sessions.ownServers.delete(id);
      if (beat === 'missing' && this.options.lostServerSessionsToldByOwner) continue;
      this.options.onEvent?.(goneServerSession(id, beat));
    }
  }

  private trouble(): void {
    this.troubleAt = (this.options.clock ?? Date.now)();
  }

  private async sweep(silence: number): Promise<void> {
    // A write first: a Redis refusing this replica's writes refused the others' heartbeats too.
    if ((await this.connection.notReady()) !== undefined) return this.trouble();
    const now = (this.options.clock ?? Date.now)();
    if (this.troubleAt !== undefined && now - this.troubleAt < silence) return;
    let expired: SessionRecord[];
    try {
      expired = await this.sessions.expireSilentServers(now - silence);
    } catch (error) {
      // Cut short by a slow Redis: what it ended before, or Redis ends late, is said still.
      onLateEnds(error, (record) => this.options.onEvent?.(endedLine(record)));
      throw error;
    }
    for (const record of expired) this.options.onEvent?.(endedLine(record));
  }
}

/**
 * Why a replica's server session is gone. A missing one was not ended by anyone: Redis lost it
 * (restarted without persistence), and blaming a silence sent an operator looking for a pause.
 */
function goneServerSession(id: string, beat: 'missing' | 'ended'): string {
  return beat === 'missing'
    ? `server session ${id} is no longer in the session store (its data was lost)`
    : `server session ${id} was ended by another replica (this one was silent too long)`;
}
