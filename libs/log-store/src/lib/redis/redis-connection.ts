import { storeUnavailable, storeUnreachable } from '@zen/contract';
import { createClient } from 'redis';
import { LogStoreError, StoreUnavailableError } from '../errors';
import { doublingBackoff } from './backoff';
import { ReadBulkhead, ReadTurnTimeout } from './read-bulkhead';
import { RedisKeys } from './redis-keys';
import { SCRIPTS } from './redis-scripts';

/**
 * How many command timeouts (REDIS_TIMEOUT_MS) a command may go unanswered before its connection
 * is dropped and made again (see RedisConnection.reconnect).
 */
export const STALL_RECONNECT_TIMEOUTS = 5;

/** How the Redis stores reach Redis. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS (REDIS_URL). */
  url: string;
  /** Prefix of every key and channel (REDIS_KEY_PREFIX). */
  keyPrefix: string;
  /** Longest a call may wait for Redis before it fails with StoreUnavailableError (REDIS_TIMEOUT_MS). */
  commandTimeoutMs: number;
  /** Reads that may be large sent to Redis at once (REDIS_LARGE_READS; see ReadBulkhead); default 1. */
  largeReads?: number;
  /** Longest such a read waits for its turn before it fails (REDIS_LARGE_READ_WAIT_MS); default 30 s. */
  largeReadWaitMs?: number;
  /** Told about connection errors and recoveries (the server logs them); defaults to silence. */
  onEvent?: (message: string) => void;
}

export function createStoreClient(options: RedisConnectionOptions) {
  return createClient({
    url: options.url,
    scripts: SCRIPTS,
    // Fail at once while Redis is unreachable (a 503 now beats a request hanging); a
    // command queued longer than the timeout fails too (RedisConnection.run times the answer).
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs },
    socket: {
      connectTimeout: options.commandTimeoutMs,
      reconnectStrategy: (retries: number) => doublingBackoff(retries, 50, 2000),
    },
  });
}

export type StoreClient = ReturnType<typeof createStoreClient>;

/**
 * Drops a client's connection and makes it again, as after a lost one: every command in flight
 * on it is rejected, subscriptions are made again. For a connection the network lost without a
 * word (see STALL_RECONNECT_TIMEOUTS).
 */
export function connectAgain(client: StoreClient, failed: (error: Error) => void): void {
  client.destroy();
  client.connect().catch(failed);
}

/**
 * The command connection of a pair of Redis stores: one client, whose automatic
 * pipelining sends every command issued in one tick in one write. It connects in the
 * background and reconnects by itself; until then every call fails fast with
 * StoreUnavailableError naming the store.
 */
export class RedisConnection {
  readonly client: StoreClient;
  /**
   * The same connection without node-redis's own command timeout, for the hot paths
   * (appends and reads), which `run` times as a whole anyway: node-redis arms an
   * `AbortSignal.timeout` per command, ~6 % of the replica's CPU under batch ingest.
   */
  readonly untimed: StoreClient;
  readonly keys: RedisKeys;
  /** `Redis at host:port`, for messages (never the password). */
  readonly name: string;
  /** Settles when the first connection is up (never rejects; it may never settle while Redis is down). */
  readonly connected: Promise<void>;
  private lastError = 'not connected yet';
  /** The failures reported since the connection was last ready (see failed). */
  private readonly reported = new Set<string>();
  private wasReady = false;
  /** The last failure named its cause (see namingUrl): a socket closed right after it is that failure's close. */
  private lastNamed = false;
  /** The evicting `maxmemory-policy` last warned about (see checkEvictionPolicy). */
  private warnedPolicy = '';
  /**
   * Why calls are refused unsent, while a command that timed out has had no answer (Redis stopped,
   * swapped out, busy with a long script): a command sent then would wait behind it, time out too,
   * and still run once Redis goes on, so that every retry of an append during a stall would land.
   * Null once Redis has answered (or dropped) that command.
   */
  private stalled: string | null = null;
  /** The commands Redis's ACL refuses this user, as the last readiness probe found them ('' for none; see notReady). */
  private aclRefused = '';
  /**
   * Why calls are refused unsent: the ACL refuses a command a script may run after its first write
   * ('' for none; see run). PUBLISH is not one (each script publishes after its changes, so its refusal leaves
   * the change whole, only unannounced: as when the feed's channel is revoked, reads work on).
   */
  private aclRefusing = '';
  /** The probe made when the connection was last ready (see notReady). */
  private aclProbe: Promise<void> = Promise.resolve();
  private readonly largeReads: ReadBulkhead;

  constructor(readonly options: RedisConnectionOptions) {
    this.largeReads = new ReadBulkhead(options.largeReads ?? 1, options.largeReadWaitMs ?? 30_000);
    this.keys = new RedisKeys(options.keyPrefix);
    this.name = `Redis at ${hostOf(options.url)}`;
    this.client = createStoreClient(options);
    this.untimed = this.client.withCommandOptions({ timeout: undefined });
    this.client.on('error', (error: Error) => this.failed(error));
    this.client.on('ready', () => {
      this.lastError = '';
      this.lastNamed = false;
      this.reported.clear();
      if (this.wasReady) options.onEvent?.(`the session store (${this.name}) is reachable again`);
      this.wasReady = true;
      void this.checkEvictionPolicy();
      // Finds (and warns of) commands Redis's ACL refuses at once, not at the first sweep.
      this.aclProbe = this.notReady().then(() => undefined);
    });
    // Connecting retries forever in the background; errors arrive as 'error' events. Connected
    // once the ACL is probed, so that no request is sent before a refusal is known.
    this.connected = this.client.connect().then(
      () => this.aclProbe,
      (error: Error) => this.failed(error),
    );
  }

  /**
   * Runs Redis commands, turning any failure but the engine's own errors into
   * StoreUnavailableError, and so is a wait longer than the command timeout: node-redis
   * times a command out only until it is written, never while Redis is slow to answer.
   * A command that timed out may still complete in Redis; its answer is then ignored, and until
   * it comes every call fails at once, sending nothing (see `stalled`): a client retrying through a
   * stall has its append run twice at most, not once per try.
   */
  async run<T>(commands: () => Promise<T>, probing = false): Promise<T> {
    if (this.stalled !== null) throw this.unavailable(new Error(this.stalled));
    // Redis checks the ACL at each command a script runs, and one refused after the script's first
    // write leaves its change half made (an append's stream entry without its counters, which then
    // blocks every append to that log): nothing is sent while the probe finds a refusal.
    if (this.aclRefusing !== '' && !probing) throw this.unavailable(new Error(this.aclRefusing));
    const work = commands();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => {
        timedOut = true;
        this.stallUntil(work);
        work.catch(() => undefined);
        fail(new Error(`no answer within ${this.options.commandTimeoutMs} ms`));
      }, this.options.commandTimeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      if (error instanceof LogStoreError) throw error;
      throw this.unavailable(error, timedOut ? work : undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * `run` for a read that may be large, once it has its turn among them (see ReadBulkhead): its
   * wait sends nothing, so REDIS_TIMEOUT_MS times only its command; a read that waited too long
   * fails with StoreUnavailableError saying so, and when to retry.
   */
  async runLargeRead<T>(commands: () => Promise<T>): Promise<T> {
    return this.inLargeReadTurn(() => this.run(commands));
  }

  /**
   * `work` once it has its turn among large reads, for a read of several commands in a row, each
   * sent with `run` (and so timed by REDIS_TIMEOUT_MS on its own); refused as `runLargeRead` is.
   */
  async inLargeReadTurn<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.largeReads.run(work);
    } catch (error) {
      if (!(error instanceof ReadTurnTimeout)) throw error;
      const { size } = this.largeReads;
      const why = `too many large reads at once (${size} at a time, REDIS_LARGE_READS): ${error.message}; retry`;
      throw new StoreUnavailableError(storeUnavailable(this.name, why), { cause: error, retryAfterSeconds: 1 });
    }
  }

  /**
   * Refuses calls unsent until `late`, a command that timed out, is answered or dropped (see
   * `stalled`), and drops the connection when that takes STALL_RECONNECT_TIMEOUTS timeouts.
   */
  private stallUntil(late: Promise<unknown>): void {
    if (this.stalled !== null) return;
    this.stalled = `an earlier command has had no answer within ${this.options.commandTimeoutMs} ms (Redis is stalled); nothing more is sent until it has one`;
    const reconnect = setTimeout(() => this.reconnect(), STALL_RECONNECT_TIMEOUTS * this.options.commandTimeoutMs);
    reconnect.unref();
    const answered = () => {
      clearTimeout(reconnect);
      this.stalled = null;
    };
    late.then(answered, answered);
  }

  /**
   * Drops the command connection and makes it again: a connection the network lost without a
   * word (a partition, a NAT or firewall that forgot it: no RST) is never answered, and the kernel
   * gives it up only after ~15 minutes of retransmissions, all that time a stall. Dropping it
   * rejects every command in flight on it, the stalled one included, which ends the stall.
   */
  private reconnect(): void {
    if (!this.client.isOpen) return; // closed meanwhile
    const silentMs = STALL_RECONNECT_TIMEOUTS * this.options.commandTimeoutMs;
    this.options.onEvent?.(`the session store (${this.name}) has not answered for ${silentMs} ms: connecting again`);
    connectAgain(this.client, (error) => this.failed(error));
  }

  /** Settles once the command connection is ready: at once if it is, else at its next reconnection. */
  whenReady(): Promise<void> {
    if (this.client.isReady) return Promise.resolve();
    return new Promise((done) => this.client.once('ready', () => done()));
  }

  /**
   * Why Redis cannot serve now, naming the store and the cause (undefined when it can). A
   * write, not a PING: a Redis that answers but refuses every write (`OOM` at `maxmemory`
   * with `noeviction`, `MISCONF` when its snapshots fail, `READONLY` as a replica) serves
   * nothing but reads, and a PING alone would call it ready (or, under `MISCONF`, which
   * refuses PING too, unreachable). Nor is a user whose ACL refuses a command the store needs
   * (the probe asks Redis, see READY): until a probe finds them allowed, `run` sends nothing.
   */
  async notReady(): Promise<string | undefined> {
    if (!this.client.isReady) return storeUnreachable(this.name, this.lastError || 'not connected');
    let refused: string[];
    try {
      refused = (await this.run(() => this.client.ready(this.keys.ready, ...this.keys.probed()), true)) as string[];
    } catch (error) {
      return (error as Error).message;
    }
    const acl = refused.length === 0 ? '' : aclRefusal(refused);
    this.aclRefusing = refused.some((command) => !REFUSED_WITHOUT_HARM.has(command)) ? acl : '';
    if (acl !== this.aclRefused) {
      this.aclRefused = acl;
      if (acl) this.options.onEvent?.(storeUnavailable(this.name, acl));
      else
        this.options.onEvent?.(
          `the session store (${this.name}) lets REDIS_URL's user run every command it needs again`,
        );
    }
    return acl ? storeUnavailable(this.name, acl) : undefined;
  }

  /**
   * Warns when Redis may evict this service's keys once full (`maxmemory-policy allkeys-*`):
   * an evicted session hash loses the session, an evicted log stream its entries while the
   * counters still count them. The `volatile-*` policies never evict them (they carry no
   * expiry). Says nothing when `CONFIG GET` is refused (managed services often forbid it).
   */
  private async checkEvictionPolicy(): Promise<void> {
    let policy: string | undefined;
    try {
      const reply = await this.run(() => this.client.configGet('maxmemory-policy'));
      policy = String(reply['maxmemory-policy'] ?? '');
    } catch {
      return;
    }
    if (!policy.startsWith('allkeys-') || policy === this.warnedPolicy) return;
    this.warnedPolicy = policy;
    this.options.onEvent?.(
      `the session store (${this.name}) evicts keys when full (maxmemory-policy ${policy}): ` +
        'sessions and log entries would vanish while their counters remain; set maxmemory-policy noeviction',
    );
  }

  /** `late`: the call's work, when it was only too slow (it may still complete). */
  unavailable(error: unknown, late?: Promise<unknown>): StoreUnavailableError {
    // Redis's refusal inside a script ends with where in it (`… script: <sha>, on @user_script:86.`):
    // nothing a client or an operator can use.
    let reason = (error instanceof Error ? error.message : String(error)).replace(SCRIPT_LOCATION, '');
    // While disconnected node-redis says only "The client is offline": the connection's own
    // error says why (refused, a wrong password, a TLS failure).
    if (!this.client.isReady && this.lastError && reason !== this.lastError) {
      reason = reason ? `${reason} (${this.lastError})` : this.lastError;
    }
    // Inside a script Redis says only "can't run this command": the probe found which.
    if (this.aclRefused && reason.includes(SCRIPT_ACL_REFUSAL)) reason = `${reason} (${this.aclRefused})`;
    else if (reason.startsWith('NOPERM')) reason = `${reason} (Redis's ACL for REDIS_URL's user)`;
    return new StoreUnavailableError(storeUnavailable(this.name, reason), {
      cause: error,
      late,
    });
  }

  async close(): Promise<void> {
    if (this.client.isOpen) this.client.destroy();
  }

  private failed(error: Error): void {
    const raw = error.message || error.name;
    const message = namingUrl(raw, this.options.url);
    // A service that is not Redis answers, then the connection closes: the close is that failure's
    // end, not another one. Logged as one, it named nothing, and readiness and each 503 said only
    // `Socket closed unexpectedly`, the cause gone from all but the first log line.
    if (raw === SOCKET_CLOSED && this.lastNamed) {
      this.lastNamed = false;
      return;
    }
    this.lastNamed = message !== raw;
    // Report each kind of failure once until the connection is ready again, not every reconnect
    // attempt: one attempt may fail two ways (a service that is not Redis answers, then closes),
    // and comparing with the last alone logged both at every attempt, a line a second for good.
    if (!this.reported.has(message) && this.reported.size < MAX_REPORTED_FAILURES) {
      this.reported.add(message);
      this.options.onEvent?.(storeUnavailable(this.name, message));
    }
    this.lastError = message;
  }
}

/**
 * A failure to connect, naming the part of REDIS_URL it is about when it is one: Redis answers a
 * database it does not have, a missing password and a wrong one in words that name no setting
 * (`ERR DB index is out of range`, `NOAUTH HELLO must be called …`, `WRONGPASS …`), and
 * node-redis says no more of a service that is not Redis or of TLS to a Redis without it.
 */
export function namingUrl(message: string, url: string): string {
  let parts: URL;
  try {
    parts = new URL(url);
  } catch {
    return message;
  }
  if (message.startsWith('ERR DB index is out of range')) {
    const db = parts.pathname.replace('/', '');
    return `${message} (REDIS_URL names database ${db}; this Redis has only as many as its \`databases\` setting, 16 by default, numbered from 0)`;
  }
  if (message.startsWith('NOAUTH') && parts.password === '') {
    return `${message} (REDIS_URL gives no password, and this Redis requires one: redis://[user]:password@host:port)`;
  }
  if (message.startsWith('WRONGPASS')) return `${message} (the user and password of REDIS_URL)`;
  // node-redis's words for an answer that is not RESP: an HTTP server's `<html>`, say.
  if (message.startsWith('Unknown RESP type')) return `${message} (what answers at REDIS_URL is not Redis)`;
  // A Redis without TLS on that port waits for a command and never answers the TLS handshake.
  if (message === 'Connection timeout' && parts.protocol === 'rediss:') {
    return `${message} (REDIS_URL is rediss://, TLS: a Redis without TLS on that port never completes its handshake)`;
  }
  return message;
}

/** node-redis's words for a connection closed by the other end. */
const SOCKET_CLOSED = 'Socket closed unexpectedly';

/** Kinds of failure reported in one outage (see failed); past them the rest go unsaid. */
const MAX_REPORTED_FAILURES = 10;

/** Redis 7's refusal of a command a script calls that the user's ACL does not allow (it names none). */
const SCRIPT_ACL_REFUSAL = "can't run this command or subcommand";

/** Commands whose refusal cannot leave a script's change half made (see aclRefusing). */
const REFUSED_WITHOUT_HARM = new Set(['PUBLISH', 'PING']);

function aclRefusal(commands: string[]): string {
  return `Redis's ACL refuses REDIS_URL's user ${commands.join(', ')}, which the store needs (on keys and the channel under its REDIS_KEY_PREFIX)`;
}

const SCRIPT_LOCATION = / script: [0-9a-f]{40}, on @user_script:\d+\.?$/;

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return 'an invalid REDIS_URL';
  }
}
