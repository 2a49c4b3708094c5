import { containsTextPattern } from '@zen/contract';
import { batchSize, EntryBatch, LEVEL_CODE } from '../entry-batch';
import { LogNotFoundError, SessionEndedError } from '../errors';
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
import { RedisConnection } from './redis-connection';
import { SCRIPT_STATUS } from './redis-scripts';

/** A stream entry as XRANGE answers it: [id, [field, value, ...]]. */
type StreamEntry = [string, string[]];
/** What a read answers: [logCursor, held, entries]. */
type ReadAnswer = [number, number, StreamEntry[]];

/**
 * Session logs in Redis, one stream per log (see RedisKeys for the layout). Every
 * append is one script: the batch lands whole or not at all, `seq` stays contiguous
 * however many replicas append at once, and the counters and `updated` in the session
 * hash move with it. Filters run here, on what one READ snapshot answered.
 */
export class RedisLogStore extends LogStore {
  /** Counters this store's append script has already written to the session hash (see recordAppend). */
  readonly recorded = new WeakSet<LogCounters>();
  private readonly listeners = new Set<AppendListener>();
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
        .del(keys.log(sessionId))
        .hSet(keys.session(sessionId), { cursor: 0, held: 0, warn: 0, error: 0 })
        .exec(),
    );
    return { logCount: 0, logCursor: 0, warnCount: 0, errorCount: 0 };
  }

  async delete(sessionId: string): Promise<void> {
    const { client, keys } = this.connection;
    await this.connection.run(() =>
      client.multi().del(keys.log(sessionId)).hDel(keys.session(sessionId), ['cursor', 'held', 'warn', 'error']).exec(),
    );
  }

  async append(sessionId: string, batch: EntryBatch): Promise<LogCounters> {
    const count = batchSize(batch);
    if (count === 0) return this.counters(sessionId);
    const { client, keys } = this.connection;
    const args = [keys.session(sessionId), keys.log(sessionId), keys.changes, sessionId];
    args.push(String(this.capacity), String(this.clock()));
    const { messages, levels, times, data } = batch;
    for (let i = 0; i < count; i++) {
      args.push(String(times[i]), String(levels[i]), messages[i], data?.[i] ?? '');
    }
    const reply = (await this.connection.run(() => client.append(...args))) as number[];
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
      const count = read.limit === undefined ? 'all' : String(read.limit);
      const [next, held, raw] = await this.fromSeq(sessionId, read.cursor, count);
      const entries = raw.map(toEntry);
      const slice = cursorSlice(read, entries, next, held);
      if (read.withTotal) slice.total = held;
      return slice;
    }
    // Filtered: everything held (the total needs it) or from the cursor, then filter here.
    const from = read.withTotal ? 0 : read.cursor;
    const [next, held, raw] = await this.fromSeq(sessionId, from, 'all');
    const limit = read.limit ?? Infinity;
    const entries: StoredEntry[] = [];
    let total = 0;
    let cursorAtLimit: number | undefined;
    for (const item of raw) {
      const entry = toEntry(item);
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
      const [next, held, raw] = await this.fromOffset(sessionId, read.offset, String(read.limit));
      return { entries: raw.map(toEntry), total: held, cursor: next };
    }
    const [next, , raw] = await this.fromSeq(sessionId, 0, 'all');
    const entries: StoredEntry[] = [];
    let passed = 0;
    for (const item of raw) {
      const entry = toEntry(item);
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
    // Wrapped, so that subscribing one function twice gives two independent subscriptions.
    const entry: AppendListener = (id, cursor) => listener(id, cursor);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** Tells listeners about an append made through any replica (called by the change feed). */
  emitAppended(sessionId: string, logCursor: number): void {
    for (const listener of this.listeners) {
      try {
        listener(sessionId, logCursor);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private async counters(sessionId: string): Promise<LogCounters> {
    const [next, held] = await this.fromSeq(sessionId, 0, '0');
    const { client, keys } = this.connection;
    const [warn, error] = await this.connection.run(() => client.hmGet(keys.session(sessionId), ['warn', 'error']));
    return { logCount: held, logCursor: next, warnCount: Number(warn ?? 0), errorCount: Number(error ?? 0) };
  }

  /**
   * The counters and the held entries from a seq (from the oldest held when it is older),
   * `count` at most ('all' for no limit), in one snapshot: one MULTI of HMGET and XRANGE
   * (an id below the oldest held starts at the oldest), which costs Redis about a third of
   * what copying the entries through a script's Lua tables does.
   */
  private async fromSeq(sessionId: string, seq: number, count: string): Promise<ReadAnswer> {
    const { client, keys } = this.connection;
    const snapshot = client.multi().addCommand(['HMGET', keys.session(sessionId), 'cursor', 'held']);
    const range = ['XRANGE', keys.log(sessionId), `${seq}-1`, '+'];
    if (count !== 'all') range.push('COUNT', count);
    if (count !== '0') snapshot.addCommand(range);
    const [counters, entries = []] = (await this.connection.run(() => snapshot.exec())) as unknown as [
      (string | null)[],
      StreamEntry[]?,
    ];
    if (counters[0] === null) throw new LogNotFoundError(sessionId);
    return [Number(counters[0]), Number(counters[1]), entries];
  }

  /** The same from the N-th held entry: the oldest held seq is needed first, so a script. */
  private async fromOffset(sessionId: string, offset: number, count: string): Promise<ReadAnswer> {
    const { client, keys } = this.connection;
    const reply = (await this.connection.run(() =>
      client.readPage(keys.session(sessionId), keys.log(sessionId), String(offset), count),
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

/** A stream entry as the store hands it out. Fields are in the order the append script writes them. */
function toEntry([id, fields]: StreamEntry): StoredEntry {
  return {
    seq: parseInt(id, 10),
    time: Number(fields[1]),
    level: Number(fields[3]),
    message: fields[5],
    data: fields.length > 6 ? fields[7] : undefined,
  };
}

type Matcher = (entry: StoredEntry) => boolean;

/** The filter as a predicate, or null when it keeps everything. */
function matcher(filter: LogFilter): Matcher | null {
  const minLevel = filter.minLevel ? LEVEL_CODE[filter.minLevel] : 0;
  const text = filter.text ? containsTextPattern(filter.text) : null;
  if (minLevel === 0 && !text) return null;
  return (entry) => entry.level >= minLevel && (!text || text.test(entry.message));
}
