import { TRICKY_TEXT_PIECES } from '@zen/testing';
import fc from 'fast-check';
import { createClient } from 'redis';
import { addEntry, EntryBatch, emptyBatch } from '../entry-batch';
import { CursorRead, LogFilter, PageRead, StoredEntry } from '../log-store';
import { MemoryLogStore } from '../memory/memory-log-store';
import { redisSuite } from '../../testing';
import {
  batchFields,
  levelDigits,
  readStreamEntry,
  STREAM_ENTRY_MAX_CHARS,
  STREAM_ENTRY_MAX_ENTRIES,
  StreamEntry,
  streamEntrySpans,
  streamId,
} from './stream-batch';

// Many appends and reads against a real redis-server: generous on a busy machine.
jest.setTimeout(120_000);

const T0 = Date.UTC(2026, 11, 3, 8);
const utf8 = (text: string) => Buffer.from(text).toString();

const text = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY_TEXT_PIECES), fc.string({ unit: 'grapheme', maxLength: 6 })), {
    maxLength: 4,
  })
  .map((pieces) => pieces.join(''));
const entry = fc.record({
  message: text,
  level: fc.integer({ min: 0, max: 3 }),
  // Times go backwards too: clients send their own.
  time: fc.integer({ min: -5_000, max: 5_000 }).map((offset) => T0 + offset),
  data: fc.option(
    text.map((value) => JSON.stringify({ value })),
    { nil: undefined },
  ),
});
const batchOf = (entries: { message: string; level: number; time: number; data?: string }[]): EntryBatch => {
  const batch = emptyBatch();
  for (const { message, level, time, data } of entries) addEntry(batch, message, level, time, data);
  return batch;
};
const batch = fc.array(entry, { minLength: 1, maxLength: 9 }).map(batchOf);
/** A batch of more entries than one stream entry takes (levels and times vary; messages are cheap to make). */
const largeBatch = fc
  .tuple(fc.integer({ min: STREAM_ENTRY_MAX_ENTRIES + 1, max: 2.6 * STREAM_ENTRY_MAX_ENTRIES }), fc.integer())
  .map(([count, seed]) =>
    batchOf(
      Array.from({ length: count }, (_, i) => ({
        message: `large ${seed} ${i} ${'é'.repeat(i % 7)}`,
        level: (seed + i * i) & 3,
        time: T0 + ((seed + i) % 5),
        data: i % 9 === 0 ? `{"i":${i}}` : undefined,
      })),
    ),
  );

describe('a batch as one stream entry', () => {
  it('reads back every entry of the batch from any seq on, as written', () => {
    fc.assert(
      fc.property(batch, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (written, skip, limit) => {
        const first = 40;
        const stored: StreamEntry = [streamId(first), ['l', levelDigits(written), ...batchFields(written)]];
        const out: StoredEntry[] = [];
        const added = readStreamEntry(stored, first + skip, limit, out);
        const expected = written.messages
          .map((message, i) => ({
            seq: first + i,
            time: written.times[i],
            level: written.levels[i],
            message,
            data: written.data?.[i],
          }))
          .slice(skip, skip + limit);
        expect(out).toEqual(expected);
        expect(added).toBe(expected.length);
      }),
    );
  });

  it('writes only the entries from the one asked for, and no data fields when none of those has data', () => {
    const written = batchOf([
      { message: 'a', level: 1, time: T0, data: '{"x":1}' },
      { message: 'bc', level: 2, time: T0 + 3 },
      { message: '', level: 3, time: T0 + 1 },
    ]);
    expect(batchFields(written, 1)).toEqual(['t', `${T0 + 3},-2`, 'k', '2,0', 'm', 'bc']);
    expect(batchFields(written)).toEqual(['t', `${T0},3,-2`, 'k', '1,2,0', 'm', 'abc', 'e', '7,,', 'd', '{"x":1}']);
    expect(levelDigits(written)).toBe('123');
  });

  it('cuts a large batch into stream entries of at most 100 entries and 32 Ki characters, or one entry', () => {
    const message = fc.oneof(fc.constant('m'), fc.constant('x'.repeat(9_000)), fc.constant('y'.repeat(40_000)));
    const batches = fc.array(message, { minLength: 1, maxLength: 260 });
    fc.assert(
      fc.property(batches, fc.nat(), (messages, start) => {
        const written = batchOf(messages.map((text) => ({ message: text, level: 1, time: T0 })));
        const from = start % messages.length;
        const spans = streamEntrySpans(written, from);
        expect(spans[0][0]).toBe(from);
        expect(spans[spans.length - 1][1]).toBe(messages.length);
        for (const [i, [at, to]] of spans.entries()) {
          if (i > 0) expect(at).toBe(spans[i - 1][1]);
          expect(to - at).toBeGreaterThanOrEqual(1);
          expect(to - at).toBeLessThanOrEqual(STREAM_ENTRY_MAX_ENTRIES);
          const chars = messages.slice(at, to).reduce((sum, text) => sum + text.length, 0);
          if (to - at > 1) expect(chars).toBeLessThanOrEqual(STREAM_ENTRY_MAX_CHARS);
        }
      }),
    );
  });
});

describe('the Redis log store on batches', () => {
  const suite = redisSuite({ maxActiveClients: 100, commandTimeoutMs: 10_000 });
  let prefixes = 0;

  async function redisLogs(capacity: number, keyPrefix = `batches${++prefixes}:`) {
    return (await suite.open({ capacity, keyPrefix })).logs;
  }

  const filter = fc.record(
    {
      minLevel: fc.constantFrom('debug' as const, 'warn' as const, 'error' as const),
      text: fc.constantFrom('a', 'É', '1'),
    },
    { requiredKeys: [] },
  );
  const step = fc.oneof(
    fc.record({ append: batch }),
    fc.record({ append: largeBatch }),
    fc.record({
      cursorRead: fc.record({
        back: fc.oneof(fc.integer({ min: -3, max: 14 }), fc.integer({ min: 90, max: 320 })),
        limit: fc.option(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 90, max: 250 })), {
          nil: undefined,
        }),
        withTotal: fc.boolean(),
        filter: fc.option(filter, { nil: undefined }),
      }),
    }),
    fc.record({
      pageRead: fc.record({
        offset: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 90, max: 300 })),
        limit: fc.integer({ min: 1, max: 12 }),
        filter: fc.option(filter, { nil: undefined }),
      }),
    }),
  );
  type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

  /** Runs the steps on both stores and requires the same answer to each. */
  async function sameAnswers(capacity: number, steps: Step[]) {
    const logs = await redisLogs(capacity);
    const reference = new MemoryLogStore(capacity);
    const id = 'cccccccccccccccccccccccc';
    await logs.create(id);
    await reference.create(id);
    let cursor = 0;
    for (const next of steps) {
      if ('append' in next) {
        const counters = await reference.append(id, next.append);
        expect(await logs.append(id, next.append)).toEqual(counters);
        cursor = counters.logCursor;
      } else if ('cursorRead' in next) {
        const { back, limit, withTotal, filter } = next.cursorRead;
        const read: CursorRead = { cursor: Math.max(0, cursor - back), limit, withTotal, ...(filter as LogFilter) };
        expect(await logs.readCursor(id, read)).toEqual(await reference.readCursor(id, read));
      } else {
        const read: PageRead = { ...next.pageRead, ...(next.pageRead.filter as LogFilter) };
        expect(await logs.readPage(id, read)).toEqual(await reference.readPage(id, read));
      }
    }
    const [ours, theirs] = [await logs.stats(), await reference.stats()];
    expect(ours.evicted).toEqual(theirs.evicted);
    await suite.closeOpened();
  }

  it('answers every append and read as the memory store does, whatever the batch sizes, capacity, cursors, limits and filters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(150, 300)),
        fc.array(step, { minLength: 1, maxLength: 14 }),
        sameAnswers,
      ),
      { numRuns: 60 },
    );
  });

  it('holds, counts and evicts right when LOG_CAPACITY changes between appends (replicas restarted with another)', async () => {
    const capacity = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constant(150));
    const appends = fc.array(fc.record({ capacity, batch: fc.oneof(batch, batch, largeBatch) }), {
      minLength: 1,
      maxLength: 12,
    });
    const id = 'eeeeeeeeeeeeeeeeeeeeeeee';
    const raw = await createClient({ url: suite.redis.url }).connect();
    /** The first seq of each batch the stream holds, and its length. */
    const batchesIn = async (keyPrefix: string) =>
      ((await raw.xRange(`${keyPrefix}{${id}}:log`, '-', '+')) ?? []).map(({ id: streamEntry, message }) => ({
        start: parseInt(streamEntry, 10),
        length: message['l'].length,
      }));
    await fc.assert(
      fc.asyncProperty(appends, async (steps) => {
        const keyPrefix = `capacity${++prefixes}:`;
        const held: StoredEntry[] = [];
        let cursor = 0;
        for (const [i, { capacity, batch: written }] of steps.entries()) {
          const logs = await redisLogs(capacity, keyPrefix);
          if (i === 0) await logs.create(id);
          written.messages.forEach((message, j) => {
            const [time, level, data] = [written.times[j], written.levels[j], written.data?.[j]];
            // Stored as UTF-8, as by every store: a lone surrogate comes back as U+FFFD.
            held.push({ seq: cursor + j, time, level, message: utf8(message), data: data && utf8(data) });
          });
          cursor += written.messages.length;
          const expected = [0, 0, 0, 0];
          for (const gone of held.splice(0, Math.max(0, held.length - capacity))) expected[gone.level]++;
          await logs.append(id, written);
          expect((await logs.stats()).evicted).toEqual(expected);
          expect((await logs.readCursor(id, { cursor: 0 })).entries).toEqual(held);
          // Trimmed: every batch left in the stream still holds an entry.
          for (const { start, length } of await batchesIn(keyPrefix))
            expect(start + length).toBeGreaterThan(held[0].seq);
          await suite.closeOpened();
        }
      }),
      { numRuns: 25 },
    );
    await raw.quit();
  });

  it('reads, appends to and trims a log written one stream entry per log entry, before batches', async () => {
    const keyPrefix = `legacy${++prefixes}:`;
    const id = 'dddddddddddddddddddddddd';
    const raw = await createClient({ url: suite.redis.url }).connect();
    // What the store wrote before batches: seqs 0–4 (two already evicted), a warn and an error among them.
    const legacy = raw.multi();
    const levels = [1, 2, 1, 3, 0];
    for (let seq = 2; seq < 5; seq++) {
      const fields: Record<string, string> = { t: String(T0 + seq), l: String(levels[seq]), m: `old ${seq}` };
      if (seq === 3) fields['d'] = '{"n":3}';
      legacy.xAdd(`${keyPrefix}{${id}}:log`, streamId(seq), fields);
    }
    legacy.hSet(`${keyPrefix}{${id}}:session`, { cursor: 5, held: 3, warn: 1, error: 1 });
    await legacy.exec();
    await raw.quit();

    const logs = await redisLogs(4, keyPrefix);
    expect((await logs.readCursor(id, { cursor: 0 })).entries).toEqual([
      { seq: 2, time: T0 + 2, level: 1, message: 'old 2', data: undefined },
      { seq: 3, time: T0 + 3, level: 3, message: 'old 3', data: '{"n":3}' },
      { seq: 4, time: T0 + 4, level: 0, message: 'old 4', data: undefined },
    ]);
    const before = await logs.stats();
    const counters = await logs.append(
      id,
      batchOf([
        { message: 'new 5', level: 2, time: T0 + 5 },
        { message: 'new 6', level: 1, time: T0 + 6 },
        { message: 'new 7', level: 1, time: T0 + 7 },
      ]),
    );
    expect(counters).toEqual({ logCursor: 8, logCount: 4, warnCount: 2, errorCount: 1 });
    // Seqs 2 and 3 (an info and an error) were evicted.
    const after = await logs.stats();
    expect(after.evicted.map((count, level) => count - before.evicted[level])).toEqual([0, 1, 0, 1]);
    const { entries } = await logs.readCursor(id, { cursor: 0, limit: 3 });
    expect(entries.map((held) => held.message)).toEqual(['old 4', 'new 5', 'new 6']);
  });
});
