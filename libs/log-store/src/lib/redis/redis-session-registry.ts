import { EndReason, SessionListStatus, SessionMetadata } from '@zen/contract';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SessionEndedError,
  SessionExistsError,
  SessionNotFoundError,
  StoreUnavailableError,
  TooManySessionsError,
} from '../errors';
import { Listeners } from '../listeners';
import { LogCounters, Unsubscribe } from '../log-store';
import { idleLongestFirst, mergeMetadata, NewSession, newestFirst, SessionRecord } from '../session-record';
import {
  EndOutcome,
  SessionChange,
  SessionChangeListener,
  SessionCounts,
  SessionRegistry,
  SessionUpdate,
} from '../session-registry';
import { StoresOptions } from '../stores';
import { feedMessage } from './redis-change-feed';
import { RedisConnection } from './redis-connection';
import { RedisLogStore } from './redis-log-store';
import { SCRIPT_STATUS } from './redis-scripts';
import {
  isSession,
  listedSession,
  newSessionPairs,
  pairsToHash,
  SessionHash,
  toRecord,
  updatePairs,
} from './session-hash';
import { ListedSession, SessionCache } from './session-cache';

/** Attempts of a metadata merge that lost the race to another change before giving up. */
const MERGE_ATTEMPTS = 20;
/** The longest wait between two attempts of a merge, in ms. */
const MERGE_BACKOFF_MAX_MS = 50;

/**
 * A random wait before merging again, growing with the attempts. Without it two replicas
 * merging into one session fell into step: each read, the other wrote, and one of them lost
 * all twenty attempts (a 503 with Redis healthy). At a random moment, a merge's read and write
 * usually fit between the other replica's writes.
 */
function mergeBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(MERGE_BACKOFF_MAX_MS, 2 ** attempt));
}
/**
 * Least time an index entry stays without its session before a listing removes it. A create
 * indexes the id before it writes the session (two steps: other cluster slots), so a listing
 * between them finds an entry without a session that is about to have one; only an entry that
 * stays alone this long (the creating replica died between the steps) is left over. At least
 * the command timeout: a create's second step may land that late after a stall.
 */
const DANGLING_AFTER_MS = 10_000;
/** Sightings of such ids kept before the old ones are dropped (they are rare: a replica dying mid-create). */
const MAX_UNBACKED = 1_000;

type StatusReply = [number, ...unknown[]];

/**
 * Sessions in Redis, shared by every replica on the same REDIS_URL and key prefix. The
 * session hash is the truth; every check-and-change of one session is one script. The
 * sorted sets that list sessions are indexes kept beside it (other cluster slots, so
 * not in the same script): they may briefly hold an id the hash disagrees with after a
 * replica died mid-change, and readers repair what they find.
 */
export class RedisSessionRegistry extends SessionRegistry {
  /** Server sessions this replica created and keeps alive (see ServerLiveness). */
  readonly ownServers = new Set<string>();
  private readonly listeners = new Listeners<SessionChange>();
  private readonly clock: () => number;
  /**
   * Active client sessions as last read, for getForAppend: an append then costs one
   * command, not an `HGETALL` first (the change feed's message for every append makes any
   * copy of the counters stale at once, but not the status). Dropped when the session ends
   * or goes, and all of them when the feed is lost; a read that began before such a drop
   * is not kept (`drops` moved).
   */
  private readonly appendable = new Map<string, SessionRecord>();
  private drops = 0;
  /** When this replica last looked for reservations without a session (see reclaimOrphans). */
  private orphansSought = -Infinity;
  /** Ids a listing found indexed without a session, and when it first did (see DANGLING_AFTER_MS). */
  private readonly unbacked = new Map<string, number>();
  /** Per session, the last of this replica's metadata merges queued (see oneMergeAtATime). */
  private readonly merges = new Map<string, Promise<void>>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly logs: RedisLogStore,
    private readonly options: Pick<StoresOptions, 'retainEnded' | 'maxActiveClients' | 'clock'>,
    private readonly cache: SessionCache,
  ) {
    super();
    this.clock = options.clock ?? Date.now;
  }

  async create(session: NewSession): Promise<SessionRecord> {
    const { client, keys } = this.connection;
    const id = session.id;
    const server = session.server ?? false;
    return this.connection.run(async () => {
      const order = await client.incr(keys.order);
      const record = SessionRecord.create(session, this.clock(), order);
      // Indexed first (an existing entry is left alone), so that no replica dying between
      // the two steps leaves a session that no listing shows; a client session only if
      // MAX_SESSIONS allows it (see ADMIT).
      const added = await this.reserve(record, server);
      try {
        await this.writeNew(record, added);
      } catch (error) {
        await this.release(id, added);
        throw error;
      }
      if (server) this.ownServers.add(id);
      return record;
    });
  }

  /**
   * Takes the create's place in its index: among the server sessions, or among the active
   * client sessions if MAX_SESSIONS allows it. Answers the indexes this create added the id to.
   */
  private async reserve(record: SessionRecord, server: boolean): Promise<string[]> {
    const { client, keys } = this.connection;
    if (server) {
      const added = await client.zAdd(keys.servers, { score: record.updated, value: record.id }, { condition: 'NX' });
      return added === 1 ? [keys.servers] : [];
    }
    const limit = String(this.options.maxActiveClients);
    const admit = async () => (await client.admit(keys.idle, limit, String(record.updated), record.id)) as StatusReply;
    let [status, count] = await admit();
    if (status === SCRIPT_STATUS.full && (await this.reclaimOrphans()) > 0) [status, count] = await admit();
    if (status === SCRIPT_STATUS.full) throw new TooManySessionsError(Number(count));
    return status === SCRIPT_STATUS.ok ? [keys.idle] : [];
  }

  /**
   * Gives back the MAX_SESSIONS places of reservations whose session was never written: a create
   * whose replica died, or lost its connection, between its two steps leaves its id in the idle
   * index alone, where no listing sees it (they read the active index) and only the expiry of idle
   * sessions, off by default, would drop it. Looked for when a create finds the limit reached, at
   * most once per DANGLING_AFTER_MS on this replica: ids reserved longer ago than that (the score
   * is the reservation's time) with no session. Answers how many places it gave back.
   */
  private async reclaimOrphans(): Promise<number> {
    const now = this.clock();
    const grace = this.danglingAfterMs();
    if (now - this.orphansSought < grace) return 0;
    this.orphansSought = now;
    const { client, keys } = this.connection;
    const old = await client.zRangeByScore(keys.idle, '-inf', `(${now - grace}`);
    const statuses = await Promise.all(old.map((id) => client.hGet(keys.session(id), 'status')));
    const orphans = old.filter((_, i) => statuses[i] == null);
    const reclaimed = await Promise.all(orphans.map((id) => this.reclaim(id, now)));
    return reclaimed.filter(Boolean).length;
  }

  /**
   * Removes an orphaned reservation; puts it back if a create of the same id (which finds the
   * entry and goes on) wrote its session meanwhile, so that the session keeps its place.
   */
  private async reclaim(id: string, now: number): Promise<boolean> {
    const { client, keys } = this.connection;
    if ((await client.zRem(keys.idle, id)) === 0) return false;
    if ((await client.hGet(keys.session(id), 'status')) !== 'active') return true;
    await client.zAdd(keys.idle, { score: now, value: id }, { condition: 'NX' });
    return false;
  }

  /** Lists the reserved session among the active ones and writes it (adding to `added` what it indexes). */
  private async writeNew(record: SessionRecord, added: string[]): Promise<void> {
    const { client, keys } = this.connection;
    const id = record.id;
    if ((await client.zAdd(keys.active, { score: record.order, value: id }, { condition: 'NX' })) === 1) {
      added.push(keys.active);
    }
    const pairs = newSessionPairs(record);
    const [status] = (await client.create(
      keys.session(id),
      ...keys.logKeys(id),
      keys.changes,
      id,
      ...pairs,
    )) as StatusReply;
    if (status === SCRIPT_STATUS.exists) throw new SessionExistsError(id);
  }

  /**
   * Gives back what a create that failed after its reservation added to the indexes. Redis
   * refuses a step when full (`OOM` at `maxmemory` with `noeviction`), and a reservation left
   * in the idle index held a MAX_SESSIONS slot for good: only the expiry of idle sessions
   * (off by default) would drop it, and no listing shows an id that only that index holds.
   * Not when the id's session is active: another create of it won, and the entries are its.
   * An id whose session exists (ended, retained) gives back what this create added too: with
   * a stale `active` entry (an end cut short between its steps), ADMIT's reservation was the
   * only thing this create added, and kept, held a slot. A connection lost meanwhile leaves
   * them, as a replica dying mid-create does.
   */
  private async release(id: string, added: string[]): Promise<void> {
    if (added.length === 0) return;
    const { client, keys } = this.connection;
    try {
      if ((await client.hGet(keys.session(id), 'status')) === 'active') return;
      await Promise.all(added.map((index) => client.zRem(index, id)));
    } catch {
      // The create's own failure is what the caller needs to hear.
    }
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const hash = await this.hash(id);
    return isSession(hash) ? toRecord(id, hash) : undefined;
  }

  override async getForAppend(id: string): Promise<SessionRecord | undefined> {
    const known = this.appendable.get(id);
    if (known) return known;
    const drops = this.drops;
    const record = await this.get(id);
    if (record?.active && !record.server && drops === this.drops) this.appendable.set(id, record);
    return record;
  }

  /** The change feed was lost or resynced: any copy's status may be stale. */
  forgetAppendable(): void {
    this.drops++;
    this.appendable.clear();
  }

  async update(id: string, update: SessionUpdate): Promise<SessionRecord> {
    const merging = update.metadata === 'merge' && update.fields.metadata !== undefined;
    return merging ? this.oneMergeAtATime(id, () => this.write(id, update, true)) : this.write(id, update, false);
  }

  /**
   * Runs this replica's merges into one session one after another. A merge reads the
   * metadata and writes it back only if nothing changed in between; many at once through
   * one replica all read the same version, one wins and the rest retry, and with a few
   * hundred some ran out of attempts. In turn, only merges through other replicas race.
   */
  private oneMergeAtATime(id: string, merge: () => Promise<SessionRecord>): Promise<SessionRecord> {
    const merged = (this.merges.get(id) ?? Promise.resolve()).then(merge, merge);
    const settled = merged.then(
      () => undefined,
      () => undefined,
    );
    this.merges.set(id, settled);
    void settled.then(() => {
      if (this.merges.get(id) === settled) this.merges.delete(id);
    });
    return merged;
  }

  private async write(id: string, update: SessionUpdate, merging: boolean): Promise<SessionRecord> {
    for (let attempt = 1; ; attempt++) {
      let fields = update.fields;
      let version = '';
      if (merging) {
        const hash = await this.hash(id);
        if (!isSession(hash)) throw new SessionNotFoundError(id);
        if (hash['status'] === 'ended') throw new SessionEndedError(id);
        const merged = mergeMetadata(toRecord(id, hash).metadata, fields.metadata as SessionMetadata);
        update.checkMerged?.(merged);
        fields = { ...fields, metadata: merged };
        version = hash['version'];
      }
      const { set, remove } = updatePairs(fields);
      const { client, keys } = this.connection;
      const args = [keys.changes, id, String(this.clock()), version, String(set.length / 2), ...set, ...remove];
      const reply = (await this.connection.run(() => client.update(keys.session(id), ...args))) as StatusReply;
      const status = reply[0];
      if (status === SCRIPT_STATUS.ok) return toRecord(id, pairsToHash(reply[1] as string[]));
      if (status === SCRIPT_STATUS.missing) throw new SessionNotFoundError(id);
      if (status === SCRIPT_STATUS.ended) throw new SessionEndedError(id);
      // Another change came between reading the metadata and writing the merge: merge again.
      if (attempt === MERGE_ATTEMPTS) throw this.connection.unavailable(new Error('too many concurrent updates'));
      await mergeBackoff(attempt);
    }
  }

  async endReporting(id: string, reason: EndReason): Promise<EndOutcome> {
    const reply = await this.endInTime(id, reason, '');
    if (reply[0] === SCRIPT_STATUS.missing) throw new SessionNotFoundError(id);
    const hash = pairsToHash(reply[1] as string[]);
    // The script ends the session atomically: only one of concurrent calls finds it active.
    const endedNow = reply[0] === SCRIPT_STATUS.ok;
    const record = toRecord(id, hash);
    if (endedNow) {
      try {
        await this.ended(id, Number(hash['endOrder'] ?? 0));
        await this.forgetBeyondRetention();
      } catch (error) {
        // Ended in time, indexed too late: the end is made all the same, and told as a late one.
        throw endsUntold(error, [record]);
      }
    }
    return { record, endedNow };
  }

  async list(status: SessionListStatus): Promise<SessionRecord[]> {
    const { client, keys } = this.connection;
    return this.connection.run(async () => {
      const [active, ended, cached] = await Promise.all([
        status === 'ended' ? [] : client.zRange(keys.active, 0, -1),
        status === 'active' ? [] : client.zRange(keys.ended, 0, -1),
        this.cache.caughtUp(),
      ]);
      const ids = [...active, ...ended];
      const listed = await this.listed(ids, cached);
      if (cached && status === 'all') this.cache.retainOnly(new Set(ids));
      const found: SessionRecord[] = [];
      const seen = new Set<string>();
      const repairs: Promise<unknown>[] = [];
      listed.forEach((session, i) => {
        const id = ids[i];
        if (!session) {
          if (this.dangling(id)) repairs.push(this.unindex(id));
          return;
        }
        if (this.unbacked.size > 0) this.unbacked.delete(id);
        const isActive = session.record.active;
        // Ended by a replica that died before moving it to the ended list.
        if (i < active.length && !isActive) repairs.push(this.ended(id, session.endOrder));
        if (status !== 'all' && isActive !== (status === 'active')) return;
        if (seen.has(id)) return;
        seen.add(id);
        found.push(session.record);
      });
      await Promise.all(repairs);
      // Newest `created` first, as the contract lists them. The creation order in Redis breaks
      // ties only: replicas stamp `created` with their own clocks before their creates reach
      // Redis, so two created at once through two replicas may reach it in the other order.
      return found.sort(newestFirst);
    });
  }

  async counts(): Promise<SessionCounts> {
    const { client, keys } = this.connection;
    const [active, ended] = await this.connection.run(() =>
      Promise.all([client.zCard(keys.active), client.zCard(keys.ended)]),
    );
    return { active, ended };
  }

  async expireIdle(idleBefore: number): Promise<SessionRecord[]> {
    const { client, keys } = this.connection;
    const candidates = await this.connection.run(() => client.zRangeByScore(keys.idle, '-inf', `(${idleBefore}`));
    const expired = await this.expire(candidates, idleBefore, keys.idle);
    return expired.sort(idleLongestFirst);
  }

  async recordAppend(id: string, counters: LogCounters): Promise<void> {
    // The store's own append script recorded these already, atomically with the append.
    if (this.logs.recorded.has(counters)) return;
    const { client, keys } = this.connection;
    const { logCursor, logCount, warnCount, errorCount } = counters;
    const args = [keys.changes, id, String(this.clock()), String(logCursor), String(logCount)];
    const [status] = (await this.connection.run(() =>
      client.record(keys.session(id), ...args, String(warnCount), String(errorCount)),
    )) as StatusReply;
    // Ended after the caller's check (through another replica, whose feed message is on its way).
    if (status === SCRIPT_STATUS.ended) throw new SessionEndedError(id);
  }

  onChanged(listener: SessionChangeListener): Unsubscribe {
    return this.listeners.add(listener);
  }

  /** Tells listeners about a change made through any replica (called by the change feed). */
  emitChange(change: SessionChange): void {
    this.cache.forget(change.id);
    if (change.kind === 'ended' || change.kind === 'removed') {
      this.drops++;
      this.appendable.delete(change.id);
    }
    this.listeners.emit(change, undefined);
  }

  /** Ids of every listed session, for a resync after the feed was lost. */
  async ids(): Promise<string[]> {
    const { client, keys } = this.connection;
    const [active, ended] = await this.connection.run(() =>
      Promise.all([client.zRange(keys.active, 0, -1), client.zRange(keys.ended, 0, -1)]),
    );
    return [...active, ...ended];
  }

  /**
   * A replica's heartbeat on its own server session. Answers how it is gone otherwise:
   * `ended` (the other replicas found this one silent for too long) or `missing` (Redis lost
   * it, restarted without persistence).
   */
  async beat(id: string): Promise<'ok' | 'missing' | 'ended'> {
    const { client, keys } = this.connection;
    const now = this.clock();
    const [[status]] = (await this.connection.run(() =>
      Promise.all([
        client.beat(keys.session(id), String(now)),
        client.zAdd(keys.servers, { score: now, value: id }, { condition: 'XX' }),
      ]),
    )) as [StatusReply, number];
    if (status === SCRIPT_STATUS.ok) return 'ok';
    return status === SCRIPT_STATUS.missing ? 'missing' : 'ended';
  }

  /** Ends, as expired, the server sessions of replicas silent since the cutoff; answers them. */
  async expireSilentServers(silentBefore: number): Promise<SessionRecord[]> {
    const { client, keys } = this.connection;
    const candidates = await this.connection.run(() => client.zRangeByScore(keys.servers, '-inf', `(${silentBefore}`));
    return this.expire(candidates, silentBefore, keys.servers);
  }

  /** Ends each candidate still idle since the cutoff; the index scores of the others catch up. */
  private async expire(candidates: string[], idleBefore: number, index: string): Promise<SessionRecord[]> {
    const expired: SessionRecord[] = [];
    try {
      for (const id of candidates) await this.expireOne(id, idleBefore, index, expired);
      if (expired.length > 0) await this.forgetBeyondRetention();
    } catch (error) {
      // Cut short by a slow store: those ended before, and the one Redis ends late, are still told.
      throw endsUntold(error, expired);
    }
    return expired;
  }

  /** Expires `id` if it is still idle (adding it to `expired` as soon as it is ended), else re-indexes it. */
  private async expireOne(id: string, idleBefore: number, index: string, expired: SessionRecord[]): Promise<void> {
    const { client } = this.connection;
    const reply = await this.endInTime(id, 'expired', String(idleBefore));
    if (reply[0] === SCRIPT_STATUS.ok) {
      const hash = pairsToHash(reply[1] as string[]);
      expired.push(toRecord(id, hash));
      await this.ended(id, Number(hash['endOrder'] ?? 0));
    } else if (reply[0] === SCRIPT_STATUS.notIdle) {
      const score = Number(reply[1]);
      await this.connection.run(() => client.zAdd(index, { score, value: id }, { condition: 'XX', comparison: 'GT' }));
    } else {
      await this.connection.run(() => client.zRem(index, id));
    }
  }

  /**
   * endScript, made whole when Redis answers it only after the command timeout (a stall): the
   * end it then made is indexed and retention applied as for an end in time, and the error's
   * `late` resolves with the session's record (undefined when this call did not end it), so
   * that its line in the server session is still written (API.md: lifecycle events are logged).
   */
  private async endInTime(id: string, reason: EndReason, idleBefore: string): Promise<StatusReply> {
    try {
      return await this.endScript(id, reason, idleBefore);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || !error.late) throw error;
      const late = error.late.then((reply) => this.endedLate(id, reply as StatusReply));
      late.catch(() => undefined);
      throw new StoreUnavailableError(error.message, { cause: error.cause, late });
    }
  }

  private async endedLate(id: string, reply: StatusReply): Promise<SessionRecord | undefined> {
    if (reply[0] !== SCRIPT_STATUS.ok) return undefined;
    const hash = pairsToHash(reply[1] as string[]);
    try {
      await this.ended(id, Number(hash['endOrder'] ?? 0));
      await this.forgetBeyondRetention();
    } catch {
      // Left to the listings' repair (an ended session still indexed as active) and the next end's retention.
    }
    return toRecord(id, hash);
  }

  private async endScript(id: string, reason: EndReason, idleBefore: string): Promise<StatusReply> {
    const { client, keys } = this.connection;
    return this.connection.run(async () => {
      const order = await client.incr(keys.order);
      const args = [keys.changes, id, reason, String(this.clock()), String(order), idleBefore];
      return (await client.end(keys.session(id), ...args)) as StatusReply;
    });
  }

  /** Moves an ended session from the active indexes to the retention queue. */
  private async ended(id: string, endOrder: number): Promise<void> {
    const { client, keys } = this.connection;
    await this.connection.run(() =>
      Promise.all([
        client.zAdd(keys.ended, { score: endOrder, value: id }),
        client.zRem(keys.active, id),
        client.zRem(keys.idle, id),
        client.zRem(keys.servers, id),
      ]),
    );
  }

  /**
   * Forgets the earliest-ended sessions beyond the retention count. They are read in one
   * command, all but the newest `retainEnded` (a count and then a range let a caller that
   * counted before another's removals take the range after them, and forget retained
   * sessions). The keys go first and the index entry last, so a replica dying in between
   * leaves only an entry that listings drop; of callers racing, the one whose removal
   * counts tells the feed.
   */
  private async forgetBeyondRetention(): Promise<void> {
    const { client, keys } = this.connection;
    await this.connection.run(async () => {
      const ids = await client.zRange(keys.ended, 0, -(this.options.retainEnded + 1));
      await Promise.all(
        ids.map(async (id) => {
          await client.del([keys.session(id), ...keys.logKeys(id)]);
          if ((await client.zRem(keys.ended, id)) === 1) {
            await client.publish(keys.changes, feedMessage('removed', id));
          }
        }),
      );
    });
  }

  /**
   * Whether an id indexed without a session has been so for long enough to be a left-over,
   * not a create between its two steps (DANGLING_AFTER_MS; the first sighting starts the wait).
   */
  private dangling(id: string): boolean {
    const now = this.clock();
    const grace = this.danglingAfterMs();
    // Sightings no listing repeated (another replica removed the entry) would stay: a bound.
    if (this.unbacked.size >= MAX_UNBACKED) {
      for (const [seen, since] of this.unbacked) if (now - since > grace) this.unbacked.delete(seen);
    }
    const since = this.unbacked.get(id);
    if (since === undefined) {
      this.unbacked.set(id, now);
      return false;
    }
    if (now - since < grace) return false;
    this.unbacked.delete(id);
    return true;
  }

  /** DANGLING_AFTER_MS, or the command timeout when longer: a create's second step may land that late. */
  private danglingAfterMs(): number {
    return Math.max(DANGLING_AFTER_MS, this.connection.options.commandTimeoutMs);
  }

  /** Drops a listed id whose session hash is gone (a create or forget cut short). */
  private async unindex(id: string): Promise<void> {
    const { client, keys } = this.connection;
    await Promise.all([keys.active, keys.ended, keys.idle, keys.servers].map((index) => client.zRem(index, id)));
  }

  /**
   * The sessions of the ids, in their order (undefined where the hash is not a session's):
   * this replica's copies where it has them and may use them, the others read from Redis
   * in one pipeline.
   */
  private async listed(ids: string[], cached: boolean): Promise<(ListedSession | undefined)[]> {
    const listed = new Array<ListedSession | undefined>(ids.length);
    const missing: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const copy = cached ? this.cache.get(ids[i]) : undefined;
      if (copy) listed[i] = copy;
      else missing.push(i);
    }
    if (missing.length === 0) return listed;
    const { client, keys } = this.connection;
    const readings = cached ? missing.map((i) => this.cache.reading(ids[i])) : [];
    const pipeline = client.multi();
    for (const i of missing) pipeline.hGetAll(keys.session(ids[i]));
    const hashes = (await pipeline.execAsPipeline()) as unknown as SessionHash[];
    missing.forEach((i, n) => {
      const hash = hashes[n];
      const session = isSession(hash) ? listedSession(ids[i], hash) : undefined;
      listed[i] = session;
      if (cached) this.cache.keep(ids[i], readings[n], session);
    });
    return listed;
  }

  private async hash(id: string): Promise<SessionHash> {
    const { client, keys } = this.connection;
    return (await this.connection.run(() => client.hGetAll(keys.session(id)))) as SessionHash;
  }
}

/**
 * A failure after sessions were ended (a sweep cut short, or an end whose indexing came too
 * late), carrying them (and the one a late answer ends, see endInTime) in its `late`, resolved
 * with their records: they are ended all the same, and each end's line in the server session is
 * written once (by the caller, from `late`).
 */
function endsUntold(error: unknown, expired: SessionRecord[]): unknown {
  if (!(error instanceof StoreUnavailableError) || (expired.length === 0 && !error.late)) return error;
  const done = [...expired];
  const late = (error.late ?? Promise.resolve(undefined)).then(
    (record) => (record instanceof SessionRecord ? [...done, record] : done),
    () => done,
  );
  return new StoreUnavailableError(error.message, { cause: error.cause, late });
}
