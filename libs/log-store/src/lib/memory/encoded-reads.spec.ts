import fc from 'fast-check';
import { containsTextPattern, LOG_FORMATS, LOG_LEVELS, LogFormat } from '@zen/contract';
import { EntryBatch } from '../entry-batch';
import { cursorPageJson, entriesNdjson, entriesText, offsetPageJson } from '../log-format';
import { CursorRead, PageRead, StoredEntry } from '../log-store';
import { hasEncodedReads } from '../encoded-reads';
import { MemoryLogStore } from './memory-log-store';
import { SessionLog } from './session-log';
import { BlockSlabs } from './block-slabs';
import { MAX_BLOCK } from './message-arena';

const lines = (entries: StoredEntry[], format: LogFormat) =>
  format === 'ndjson' ? entriesNdjson(entries) : entriesText(entries);

/** Messages with what the encoder must escape or pass through: controls, quotes, CR/LF, multi-byte, lone surrogates. */
const message = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      'a',
      'Z',
      'k',
      'K',
      '\u212a',
      's',
      '\u017f',
      '"',
      '\\',
      '\n',
      '\r',
      '\t',
      '\u0000',
      '\u001f',
      '\u007f',
    ),
    fc.constantFrom('é', 'É', 'ß', '日', '🎮', '\u2028', '\ud800', '\udc00', ' '),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});
const time = fc.oneof(
  fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
  fc.constantFrom(0, Date.UTC(2000, 1, 29), Date.UTC(2026, 11, 31, 23, 59, 59, 999), 1.5, 1_700_000_000_000.7),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
);
const entry = fc.record({
  message,
  level: fc.integer({ min: 0, max: 3 }),
  time,
  data: fc.option(fc.constantFrom('{"a":1}', '[1,"é\\n"]', 'null', '"x"'), { nil: undefined }),
});
const filter = fc.record(
  {
    minLevel: fc.constantFrom(...LOG_LEVELS),
    text: fc.oneof(
      fc.constantFrom('k', 'S', 'é', 'É', 'a"', '\\', 'ß', '\u212a'),
      message.filter((m) => m.length > 0),
    ),
  },
  { requiredKeys: [] },
);

function batchOf(entries: { message: string; level: number; time: number; data?: string }[]): EntryBatch {
  const withData = entries.some((e) => e.data !== undefined);
  return {
    messages: entries.map((e) => e.message),
    levels: entries.map((e) => e.level),
    times: entries.map((e) => e.time),
    data: withData ? entries.map((e) => e.data) : null,
  };
}

describe('encoded reads', () => {
  it('the memory store offers them', () => {
    expect(hasEncodedReads(new MemoryLogStore(10))).toBe(true);
  });

  it('answer byte for byte what the formatters make of readCursor and readPage, in every format', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(entry, { maxLength: 12 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 20 }),
        filter,
        fc.record({ cursor: fc.nat(60), limit: fc.option(fc.nat(15), { nil: undefined }), withTotal: fc.boolean() }),
        fc.record({ offset: fc.nat(30), limit: fc.nat(15) }),
        fc.constantFrom(...LOG_FORMATS),
        (batches, capacity, filterOf, cursorOf, pageOf, format) => {
          const log = new SessionLog(capacity);
          for (const batch of batches) log.append(batchOf(batch));
          // The filter decides as a case-insensitive Unicode RegExp on the decoded message, whatever
          // the neighbours in the message block (no match across two messages).
          const pattern = filterOf.text && containsTextPattern(filterOf.text);
          const minLevel = filterOf.minLevel ? LOG_LEVELS.indexOf(filterOf.minLevel) : 0;
          const passing = log
            .readCursor({ cursor: 0 })
            .entries.filter((e) => e.level >= minLevel && (!pattern || pattern.test(e.message)));
          expect(log.readCursor({ ...filterOf, cursor: 0 }).entries).toEqual(passing);

          const cursorRead: CursorRead = { ...filterOf, ...cursorOf };
          const slice = log.readCursor(cursorRead);
          const encoded = log.readCursorEncoded(cursorRead, format);
          const expected = format === 'json' ? cursorPageJson(slice) : lines(slice.entries, format);
          expect(encoded.body.toString('utf8')).toBe(expected);
          expect(encoded.body.equals(Buffer.from(expected))).toBe(true);
          expect([encoded.cursor, encoded.dropped, encoded.total]).toEqual([slice.cursor, slice.dropped, slice.total]);

          const pageRead: PageRead = { ...filterOf, ...pageOf };
          const page = log.readPage(pageRead);
          const encodedPage = log.readPageEncoded(pageRead, format);
          const expectedPage =
            format === 'json' ? offsetPageJson(page, pageRead.offset, pageRead.limit) : lines(page.entries, format);
          expect(encodedPage.body.equals(Buffer.from(expectedPage))).toBe(true);
          expect([encodedPage.cursor, encodedPage.total, encodedPage.dropped]).toEqual([page.cursor, page.total, 0]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answer the same after earlier reads learned what each message holds, and after appends reuse their slots', () => {
    // A read remembers per slot whether the message has anything to escape (slot-kinds.ts): reads
    // in any order of formats, and appends that evict and reuse slots in between, must not tell.
    const step = fc.oneof(
      fc.record({ append: fc.array(entry, { maxLength: 8 }) }),
      fc.record({ format: fc.constantFrom(...LOG_FORMATS), cursor: fc.nat(40) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 12 }), (capacity, steps) => {
        const log = new SessionLog(capacity);
        for (const action of steps) {
          if ('append' in action) {
            log.append(batchOf(action.append));
            continue;
          }
          const slice = log.readCursor({ cursor: action.cursor });
          const expected = action.format === 'json' ? cursorPageJson(slice) : lines(slice.entries, action.format);
          expect(log.readCursorEncoded({ cursor: action.cursor }, action.format).body.toString('utf8')).toBe(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('answer byte for byte for pages that start and end anywhere in a message block and its scan windows', () => {
    // ~3,000 entries of ~100 bytes: several 32 KiB blocks, each scanned 8 KiB at a time. Multi-byte
    // characters and bytes to escape sit at every distance from the edges of blocks and windows.
    const units = ['x', 'é', '日', '🎮', '"', '\\', '\n', '\r\n', '\u0001'];
    const messages = Array.from({ length: 3_000 }, (_, i) => {
      const unit = units[i % units.length];
      return `entry ${i} ` + 'y'.repeat(i % 97) + unit + 'z'.repeat(90 - (i % 89)) + unit;
    });
    const log = new SessionLog(10_000);
    log.append(batchOf(messages.map((message, i) => ({ message, level: i % 4, time: 1_764_650_000_000 + i * 7 }))));
    const offsets = [0, 1, 9, 10, 80, 81, 82, 99, 100, 101, 600, 630, 1_000, 1_300, 1_950, 2_000, 2_899, 2_999, 3_000];
    for (const offset of offsets) {
      for (const limit of [1, 2, 77, 100, 1_000]) {
        for (const format of LOG_FORMATS) {
          const page = log.readPage({ offset, limit });
          const expected = format === 'json' ? offsetPageJson(page, offset, limit) : lines(page.entries, format);
          expect(log.readPageEncoded({ offset, limit }, format).body.equals(Buffer.from(expected))).toBe(true);
          const slice = log.readCursor({ cursor: offset, limit });
          const expectedSlice = format === 'json' ? cursorPageJson(slice) : lines(slice.entries, format);
          expect(log.readCursorEncoded({ cursor: offset, limit }, format).body.equals(Buffer.from(expectedSlice))).toBe(
            true,
          );
        }
      }
    }
  });

  it('answer byte for byte from message blocks reused with stale bytes past their fill', () => {
    // Logs of one store reuse the full-size blocks others freed (block-slabs.ts): a reused block
    // still holds a former log's messages past its fill, full of bytes to escape, which no read
    // may take for part of a message.
    const slabs = new BlockSlabs(MAX_BLOCK);
    const stale = new SessionLog(8, slabs);
    const dirty = '"\\\n\r\u0001é日🎮';
    for (let i = 0; i < 40; i++) stale.append(batchOf([{ message: dirty.repeat(300), level: 3, time: i }]));
    const units = ['x', 'é', '"', '\\', '\n', '\r\n', '\u0001', 'k'];
    const given = new Set<Buffer>();
    const give = slabs.give.bind(slabs);
    jest.spyOn(slabs, 'give').mockImplementation((block) => (given.add(block), give(block)));
    const taken = jest.spyOn(slabs, 'take');
    const log = new SessionLog(30, slabs);
    for (let i = 0; i < 400; i++) {
      const unit = units[i % units.length];
      const message = `m${i} ${'y'.repeat((i * 37) % 3_000)}${unit}${'z'.repeat(i % 11)}`;
      log.append(batchOf([{ message, level: i % 4, time: 1_764_650_000_000 + i }]));
      if (i % 7 !== 0) continue;
      for (const format of LOG_FORMATS) {
        const cursor = Math.max(0, i - 20);
        const slice = log.readCursor({ cursor });
        const expected = format === 'json' ? cursorPageJson(slice) : lines(slice.entries, format);
        expect(log.readCursorEncoded({ cursor }, format).body.equals(Buffer.from(expected))).toBe(true);
        const filtered = log.readCursor({ cursor, text: 'Z"' });
        const expectedFiltered = format === 'json' ? cursorPageJson(filtered) : lines(filtered.entries, format);
        expect(log.readCursorEncoded({ cursor, text: 'Z"' }, format).body.toString()).toBe(expectedFiltered);
      }
    }
    expect(taken.mock.results.filter((result) => given.has(result.value)).length).toBeGreaterThan(4);
  });

  it('grow their buffer past the first size guess (large messages)', () => {
    const log = new SessionLog(10);
    const big = '"\n'.repeat(50_000);
    log.append(
      batchOf([
        { message: big, level: 1, time: 0 },
        { message: 'after', level: 2, time: 1 },
      ]),
    );
    const body = log.readCursorEncoded({ cursor: 0 }, 'json').body.toString();
    expect(body).toBe(cursorPageJson(log.readCursor({ cursor: 0 })));
  });

  it('start the body of a read from the entries it may return, not from the whole log', () => {
    const log = new SessionLog(10_000);
    const fill = 'x'.repeat(90);
    log.append(batchOf(Array.from({ length: 10_000 }, (_, i) => ({ message: `${fill} ${i}`, level: 1, time: i }))));
    // A tail read of the 100 newest once took a 1 MiB buffer, the bound for the whole log.
    const tail = log.readCursorEncoded({ cursor: 9_900 }, 'json').body;
    const page = log.readPageEncoded({ offset: 4_950, limit: 100 }, 'json').body;
    const search = log.readCursorEncoded({ cursor: 0, text: ' 42' }, 'json').body;
    for (const body of [tail, page, search]) expect(body.buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(JSON.parse(tail.toString()).entries).toHaveLength(100);
    expect(log.readCursorEncoded({ cursor: 0 }, 'ndjson').body.toString().split('\n')).toHaveLength(10_001);
  });

  it('keep a large body s bytes until it is released, then write the next large read into its memory', () => {
    const log = new SessionLog(10_000);
    log.append(
      batchOf(Array.from({ length: 10_000 }, (_, i) => ({ message: `${'y'.repeat(90)} ${i}`, level: 1, time: i }))),
    );
    const first = log.readCursorEncoded({ cursor: 0 }, 'ndjson');
    const text = first.body.toString();
    const second = log.readCursorEncoded({ cursor: 5_000 }, 'text');
    expect(second.body.buffer).not.toBe(first.body.buffer);
    expect(first.body.toString()).toBe(text);
    expect(first.release).toBeInstanceOf(Function);
    first.release?.();
    const third = log.readCursorEncoded({ cursor: 0 }, 'ndjson');
    expect(third.body.buffer).toBe(first.body.buffer);
    expect(third.body.toString()).toBe(text);
    // A read of a few entries fits Node's own small-buffer pool: nothing to give back.
    expect(log.readCursorEncoded({ cursor: 9_995 }, 'json').release).toBeUndefined();
  });
});
