import { containsTextPattern } from '@zen/contract';
import { batchSize, EntryBatch, LEVEL_CODE } from '../entry-batch';
import { LogNotFoundError, SessionEndedError } from '../errors';
import { Listeners } from '../listeners';
import {
  AppendListener,
  CursorRead,
  CursorSlice,
  LogCounters,
  LogFilter,
  LogStore,
  LogStoreStats,
  PageRead,
  PageSlice,
  StoredEntry,
  Unsubscribe,
} from '../log-store';
import { isLargeRead, LARGE_READ_ENTRIES } from './read-bulkhead';
import { RedisConnection } from './redis-connection';
import { SCRIPT_STATUS } from './redis-scripts';
import { levelDigits, readStreamEntry, seqAfter, StreamEntry, streamEntryArgs } from './stream-batch';

/**
 * How many entries a read without a limit asks for first (see RedisLogStore.allFromSeq): enough
 * for a poller's read each second of a busy log, ~1 % of a full 10,000-entry log's read.
 */
const PROBE_ENTRIES = 100;

/** What a read answers: [logCursor, held, the stream entries (batches) holding the entries]. */
type ReadAnswer = [number, number, StreamEntry[]];

/**
 * Session logs in Redis, one stream per log, one stream entry per append (see RedisKeys
 * and stream-batch.ts for the layout). Every append is one script: the batch lands whole
 * or not at all, `seq` stays contiguous however many replicas append at once, and the
 * counters and `updated` in the session hash move with it. Filters run here, on what the
 * READ script answered: one snapshot for a read of up to LARGE_READ_ENTRIES, successive reads
 * for a larger one (see readOn).
 */
export class RedisLogStore extends LogStore {
  /** Counters this store's append script has already written to the session hash (see recordAppend). */
  readonly recorded = new WeakSet<LogCounters>();
  private readonly listeners = new Listeners<string, number>();
  private readonly resyncListeners = new Listeners<undefined>();
  private readonly feedLostListeners = new Listeners<string>();
  /** By level code, for appends made through this replica (metrics are per process). */
  private readonly appended = [0, 0, 0, 0];
  private readonly evicted = [0, 0, 0, 0];

  constructor(
    private readonly connection: RedisConnection,
    private readonly capacity: number,
    private readonly clock: () => number = Date.now,
  ) {
    super();
  }

  async create(sessionId: string): Promise<LogCounters> {
    const { client, keys } = this.connection;
    await this.connection.run(() =>
      client
        .multi()
        .del(keys.logKeys(sessionId))
        .hSet(keys.session(sessionId), { cursor: 0, held: 0, warn: 0, error: 0 })
        .hDel(keys.session(sessionId), ['ring', 'head'])
        .exec(),
    );
    return { logCount: 0, logCursor: 0, warnCount: 0, errorCount: 0 };
  }

  async delete(sessionId: string): Promise<void> {
    const { client, keys } = this.connection;
    await this.connection.run(() =>
      client
        .multi()
        .del(keys.logKeys(sessionId))
        .hDel(keys.session(sessionId), ['cursor', 'held', 'warn', 'error', 'ring', 'head'])
        .exec(),
    );
  }

  async append(sessionId: string, batch: EntryBatch): Promise<LogCounters> {
    const count = batchSize(batch);
    if (count === 0) return this.counters(sessionId);
    const { untimed, keys } = this.connection;
    const { levels } = batch;
    const args = [keys.session(sessionId), ...keys.logKeys(sessionId), keys.changes, sessionId];
    args.push(String(this.capacity), String(this.clock()), levelDigits(batch));
    // Entries beyond capacity would be evicted by this very append: only their levels travel.
    args.push(...streamEntryArgs(batch, Math.max(0, count - this.capacity)));
    const reply = (await this.connection.run(() => untimed.append(...args))) as number[];
    if (reply[0] === SCRIPT_STATUS.missing) throw new LogNotFoundError(sessionId);
    if (reply[0] === SCRIPT_STATUS.ended) throw new SessionEndedError(sessionId);
    for (let i = 0; i < count; i++) this.appended[levels[i]]++;
    for (let level = 0; level < 4; level++) this.evicted[level] += reply[5 + level];
    const counters = { logCursor: reply[1], logCount: reply[2], warnCount: reply[3], errorCount: reply[4] };
    this.recorded.add(counters);
    return counters;
  }

  async readCursor(sessionId: string, read: CursorRead): Promise<CursorSlice> {
    const matches = matcher(read);
    if (!matches) {
      const answer =
        read.limit === undefined
          ? await this.allFromSeq(sessionId, read.cursor)
          : await this.fromSeq(sessionId, read.cursor, String(read.limit));
      const [next, held] = answer;
      const entries = heldEntries(answer, read.cursor, read.limit);
      const slice = cursorSlice(read, entries, next, held);
      if (read.withTotal) slice.total = held;
      return slice;
    }
    // Filtered: everything held (the total needs it) or from the cursor, then filter here.
    const from = read.withTotal ? 0 : read.cursor;
    const answer = await this.allFromSeq(sessionId, from);
    const [next, held] = answer;
    const limit = read.limit ?? Infinity;
    const entries: StoredEntry[] = [];
    let total = 0;
    let cursorAtLimit: number | undefined;
    for (const entry of heldEntries(answer, from)) {
      if (!matches(entry)) continue;
      total++;
      if (entry.seq < read.cursor || entries.length >= limit) continue;
      entries.push(entry);
      if (entries.length === limit) cursorAtLimit = entry.seq + 1;
    }
    const slice = cursorSlice(read, entries, next, held, cursorAtLimit);
    if (read.withTotal) slice.total = total;
    return slice;
  }

  async readPage(sessionId: string, read: PageRead): Promise<PageSlice> {
    const matches = matcher(read);
    if (!matches) {
      const answer = await this.fromOffset(sessionId, read.offset, String(read.limit));
      const [next, held] = answer;
      return { entries: heldEntries(answer, next - held + read.offset, read.limit), total: held, cursor: next };
    }
    const answer = await this.fromSeq(sessionId, 0, 'all');
    const next = answer[0];
    const entries: StoredEntry[] = [];
    let passed = 0;
    for (const entry of heldEntries(answer, 0)) {
      if (!matches(entry)) continue;
      if (passed >= read.offset && entries.length < read.limit) entries.push(entry);
      passed++;
    }
    return { entries, total: passed, cursor: next };
  }

  async stats(): Promise<LogStoreStats> {
    return { appended: [...this.appended], evicted: [...this.evicted] };
  }

  onAppended(listener: AppendListener): Unsubscribe {
    return this.listeners.add(listener);
  }

  override onResynced(listener: () => void): Unsubscribe {
    return this.resyncListeners.add(listener);
  }

  override onFeedLost(listener: (why: string) => void): Unsubscribe {
    return this.feedLostListeners.add(listener);
  }

  /** Tells listeners the feed is lost, and why (called by the change feed). */
  emitFeedLost(why: string): void {
    this.feedLostListeners.emit(why, undefined);
  }

  /** Tells listeners the feed is back and what it missed announced (called by FeedResync). */
  emitResynced(): void {
    this.resyncListeners.emit(undefined, undefined);
  }

  /** Tells listeners about an append made through any replica (called by the change feed). */
  emitAppended(sessionId: string, logCursor: number): void {
    this.listeners.emit(sessionId, logCursor);
  }

  private async counters(sessionId: string): Promise<LogCounters> {
    const [next, held] = await this.fromSeq(sessionId, 0, '0');
    const { client, keys } = this.connection;
    const [warn, error] = await this.connection.run(() => client.hmGet(keys.session(sessionId), ['warn', 'error']));
    return { logCount: held, logCursor: next, warnCount: Number(warn ?? 0), errorCount: Number(error ?? 0) };
  }

  /**
   * The counters and the batches holding the entries from a seq (from the oldest held
   * when it is older), enough for `count` entries ('all' for no limit): in one snapshot,
   * except 'all', which is read in chunks (see inChunks).
   */
  private fromSeq(sessionId: string, seq: number, count: string): Promise<ReadAnswer> {
    return this.read(sessionId, 'seq', seq, count);
  }

  /**
   * Every held entry from a seq, as `fromSeq(…, 'all')`, without a poller's read waiting its turn
   * among large reads: a read from a recent cursor (an HTTP poller's, which sends no `limit`) finds
   * a few entries, yet without a limit it would wait behind a burst of downloads (see ReadBulkhead).
   * The first read asks for at most PROBE_ENTRIES and is enough when no more follow; past that, the
   * rest is read on from where it ended, at once for up to LARGE_READ_ENTRIES entries, else in turn.
   */
  private async allFromSeq(sessionId: string, seq: number): Promise<ReadAnswer> {
    const probe = await this.fromSeq(sessionId, seq, String(PROBE_ENTRIES));
    const [next, held] = probe;
    const following = next - Math.max(seq, next - held);
    if (following <= PROBE_ENTRIES) return probe;
    if (following > LARGE_READ_ENTRIES) return this.inChunks(sessionId, seq, probe);
    return this.readOn(sessionId, seq, probe);
  }

  /** The same from the N-th held entry. */
  private fromOffset(sessionId: string, offset: number, count: string): Promise<ReadAnswer> {
    return this.read(sessionId, 'offset', offset, count);
  }

  /** `large`: whether it takes its turn among large reads (see ReadBulkhead); by default judged by `count`. */
  private read(
    sessionId: string,
    mode: 'seq' | 'offset',
    at: number,
    count: string,
    large = isLargeRead(count),
  ): Promise<ReadAnswer> {
    if (large && count === 'all' && mode === 'seq') return this.inChunks(sessionId, at);
    const command = () => this.command(sessionId, mode, at, count);
    return large ? this.connection.runLargeRead(command) : this.connection.run(command);
  }

  /**
   * Every held entry from `seq`, as far as the log reached at the first read, in reads of
   * LARGE_READ_ENTRIES entries, all in one turn among large reads. One READ of a whole log kept
   * Redis, and every command sent behind it, busy for as long as its answer took: a log large
   * enough had that outlast REDIS_TIMEOUT_MS, stalling the replica; in chunks, each is timed on
   * its own and appends go on between them. `first`: the first chunk, when already read.
   */
  private inChunks(sessionId: string, seq: number, first?: ReadAnswer): Promise<ReadAnswer> {
    return this.connection.inLargeReadTurn(() => this.readOn(sessionId, seq, first));
  }

  /**
   * The entries from `seq` as far as the log reached at the first read, going on in reads of
   * LARGE_READ_ENTRIES from where the one before ended. The reads are not one snapshot: when
   * entries not read yet were evicted meanwhile (appends past capacity), the answer ends where they
   * began, as a read with a limit would, and the next read from there reports them dropped.
   */
  private async readOn(sessionId: string, seq: number, first?: ReadAnswer): Promise<ReadAnswer> {
    const chunk = String(LARGE_READ_ENTRIES);
    const readFrom = (from: number) => this.connection.run(() => this.command(sessionId, 'seq', from, chunk));
    const [cursor, held, batches] = first ?? (await readFrom(seq));
    const firstHeld = cursor - held;
    let reached = batches.length > 0 ? seqAfter(batches[batches.length - 1]) : cursor;
    while (reached < cursor) {
      const [laterCursor, laterHeld, more] = await readFrom(reached);
      if (more.length === 0 || laterCursor - laterHeld > reached) break;
      for (const batch of more) batches.push(batch);
      reached = seqAfter(more[more.length - 1]);
    }
    // What the first read found held, as far as it was read: entries appended since are left to
    // the next read (the answer never holds more than the log's capacity), and it ends short of
    // the first read's cursor when the rest was evicted before it was read.
    const end = Math.min(reached, cursor);
    const answer: ReadAnswer = [end, end - firstHeld, batches];
    return answer;
  }

  /** One READ script call (see READ in redis-scripts.ts). */
  private async command(sessionId: string, mode: 'seq' | 'offset', at: number, count: string): Promise<ReadAnswer> {
    const { untimed, keys } = this.connection;
    const reply = (await untimed.read(
      keys.session(sessionId),
      keys.log(sessionId),
      mode,
      String(at),
      count,
    )) as ReadAnswer | null;
    if (!reply) throw new LogNotFoundError(sessionId);
    return reply;
  }
}

/** The slice of a cursor read, with the cursor and dropped count as the contract says. */
function cursorSlice(
  read: CursorRead,
  entries: StoredEntry[],
  next: number,
  held: number,
  cursorAtLimit?: number,
): CursorSlice {
  const first = next - held;
  const dropped = read.cursor < first ? first - read.cursor : 0;
  let cursor = Math.max(read.cursor, next);
  if (read.limit === 0) cursor = Math.max(read.cursor, first);
  else if (cursorAtLimit !== undefined) cursor = cursorAtLimit;
  else if (read.limit !== undefined && entries.length === read.limit && entries.length > 0) {
    cursor = entries[entries.length - 1].seq + 1;
  }
  return { entries, cursor, dropped };
}

/**
 * The held entries of the batches a read answered, from seq `from` on, at most `limit`:
 * the first batch may start below `from` or below the first held entry (a batch stays in
 * the stream until all of it is evicted), and the last may run past what was asked.
 */
function heldEntries([next, held, batches]: ReadAnswer, from: number, limit = Infinity): StoredEntry[] {
  const start = Math.max(from, next - held);
  // Up to `next`: a read in parts may have brought entries appended after its first part.
  const count = Math.min(limit, next - start);
  const entries: StoredEntry[] = [];
  for (let i = 0; i < batches.length && entries.length < count; i++) {
    readStreamEntry(batches[i], start, count - entries.length, entries);
  }
  return entries;
}

type Matcher = (entry: StoredEntry) => boolean;

/** The filter as a predicate, or null when it keeps everything. */
function matcher(filter: LogFilter): Matcher | null {
  const minLevel = filter.minLevel ? LEVEL_CODE[filter.minLevel] : 0;
  const text = filter.text ? containsTextPattern(filter.text) : null;
  if (minLevel === 0 && !text) return null;
  return (entry) => entry.level >= minLevel && (!text || text.test(entry.message));
}
