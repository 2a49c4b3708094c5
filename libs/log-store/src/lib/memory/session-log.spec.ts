import { EntryBatch, LEVEL_CODE } from '../entry-batch';
import { containsTextPattern } from '@zen/contract';
import fc from 'fast-check';
import { SessionLog } from './session-log';

const T0 = Date.UTC(2026, 10, 24, 12);

/** A batch of info entries "m<from>"…"m<to-1>", so messages name their seq. */
function batch(from: number, to: number, overrides: Partial<EntryBatch> = {}): EntryBatch {
  const count = to - from;
  return {
    messages: Array.from({ length: count }, (_, i) => `m${from + i}`),
    levels: new Array(count).fill(LEVEL_CODE.info),
    times: Array.from({ length: count }, (_, i) => T0 + from + i),
    data: null,
    ...overrides,
  };
}

function filled(capacity: number, count: number): SessionLog {
  const log = new SessionLog(capacity);
  log.append(batch(0, count));
  return log;
}

const seqs = (entries: { seq: number }[]) => entries.map((entry) => entry.seq);

describe('SessionLog', () => {
  describe('cursor reads', () => {
    it('returns held entries from the cursor, oldest first, and the cursor one past the last', () => {
      const log = filled(10, 5);
      const slice = log.readCursor({ cursor: 2 });
      expect(seqs(slice.entries)).toEqual([2, 3, 4]);
      expect(slice.entries.map((entry) => entry.message)).toEqual(['m2', 'm3', 'm4']);
      expect(slice).toMatchObject({ cursor: 5, dropped: 0 });
    });

    it('keeps the cursor unchanged when nothing is new, even past the end', () => {
      const log = filled(10, 5);
      expect(log.readCursor({ cursor: 5 })).toEqual({ entries: [], cursor: 5, dropped: 0 });
      expect(log.readCursor({ cursor: 9 })).toEqual({ entries: [], cursor: 9, dropped: 0 });
    });

    it('stops at the limit with the cursor just past the last entry returned', () => {
      const log = filled(10, 8);
      const slice = log.readCursor({ cursor: 1, limit: 3 });
      expect(seqs(slice.entries)).toEqual([1, 2, 3]);
      expect(slice.cursor).toBe(4);
      const rest = log.readCursor({ cursor: slice.cursor, limit: 3 });
      expect(seqs(rest.entries)).toEqual([4, 5, 6]);
      expect(log.readCursor({ cursor: rest.cursor, limit: 3 })).toMatchObject({ cursor: 8, dropped: 0 });
    });

    it('returns nothing for limit 0 and does not move a cursor that points at held entries', () => {
      const log = filled(10, 5);
      expect(log.readCursor({ cursor: 2, limit: 0 })).toEqual({ entries: [], cursor: 2, dropped: 0 });
    });
  });

  describe('eviction', () => {
    it('holds at most capacity entries and evicts the oldest', () => {
      const log = filled(4, 10);
      expect(seqs(log.readCursor({ cursor: 0 }).entries)).toEqual([6, 7, 8, 9]);
      expect(log.counters()).toMatchObject({ logCount: 4, logCursor: 10 });
    });

    it('reports as dropped the entries at and after the cursor that were evicted', () => {
      const log = filled(4, 10);
      expect(log.readCursor({ cursor: 0 })).toMatchObject({ dropped: 6, cursor: 10 });
      expect(log.readCursor({ cursor: 4 })).toMatchObject({ dropped: 2 });
      expect(log.readCursor({ cursor: 6 })).toMatchObject({ dropped: 0 });
    });

    it('keeps messages in place across growth and wrap-around', () => {
      const log = new SessionLog(100);
      for (let seq = 0; seq < 250; seq += 7) log.append(batch(seq, Math.min(seq + 7, 250)));
      const entries = log.readCursor({ cursor: 0 }).entries;
      expect(seqs(entries)).toEqual(Array.from({ length: 100 }, (_, i) => 150 + i));
      expect(entries.every((entry) => entry.message === `m${entry.seq}` && entry.time === T0 + entry.seq)).toBe(true);
    });

    it('keeps entries, times and data in order when it grows while its held entries wrap around the ring', () => {
      const log = new SessionLog(1000);
      const data = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `{"n":${from + i}}`);
      log.append(batch(0, 10, { data: data(0, 10) }));
      // All ten share one message block: evicting it empties the front of the 16-slot ring.
      expect(log.evictOldestBlock(0)).toBe(10);
      log.append(batch(10, 26, { data: data(10, 26) })); // slots 10…15, then 0…9: wrapped
      log.append(batch(26, 60, { data: data(26, 60) })); // grows to 64 slots, moving both wrapped runs
      const entries = log.readCursor({ cursor: 0 }).entries;
      expect(seqs(entries)).toEqual(Array.from({ length: 50 }, (_, i) => 10 + i));
      expect(
        entries.every((e) => e.message === `m${e.seq}` && e.time === T0 + e.seq && e.data === `{"n":${e.seq}}`),
      ).toBe(true);
    });

    it('counts a batch larger than the capacity but holds only its newest entries', () => {
      const log = filled(3, 2);
      log.append(batch(2, 10));
      expect(log.counters()).toMatchObject({ logCount: 3, logCursor: 10 });
      expect(log.readCursor({ cursor: 0 }).entries.map((entry) => entry.message)).toEqual(['m7', 'm8', 'm9']);
    });

    it('frees the bytes of evicted messages, so a full log stops growing', () => {
      const log = new SessionLog(1000);
      const line = (i: number) => `${'z'.repeat(90)}${String(i).padStart(10, '0')}`;
      for (let i = 0; i < 100; i++) {
        const messages = Array.from({ length: 1000 }, (_, j) => line(i * 1000 + j));
        log.append({
          messages,
          levels: messages.map(() => LEVEL_CODE.info),
          times: messages.map(() => T0),
          data: null,
        });
      }
      // 1000 held messages of 100 bytes, plus at most two partly used 64 KiB blocks.
      expect(log.messageBytes()).toBeLessThanOrEqual(100_000 + 2 * 64 * 1024);
      const entries = log.readCursor({ cursor: 0 }).entries;
      expect(entries[0].message).toBe(line(99_000));
      expect(entries[999].message).toBe(line(99_999));
    });

    it('forgets the data of evicted entries along with them', () => {
      const log = new SessionLog(2);
      log.append(batch(0, 2, { data: ['{"a":0}', undefined] }));
      log.append(batch(2, 4));
      const entries = log.readCursor({ cursor: 0 }).entries;
      expect(entries.map((entry) => entry.data)).toEqual([undefined, undefined]);
    });
  });

  describe('filters', () => {
    const levels = [
      LEVEL_CODE.debug,
      LEVEL_CODE.info,
      LEVEL_CODE.warn,
      LEVEL_CODE.error,
      LEVEL_CODE.warn,
      LEVEL_CODE.info,
    ];
    const messages = ['boot', 'Shader compile', 'SHADER slow', 'crash', 'disk', 'done'];
    const log = new SessionLog(100);
    log.append({ messages, levels, times: messages.map(() => T0), data: null });

    it('keeps entries at the level or more severe', () => {
      expect(seqs(log.readCursor({ cursor: 0, minLevel: 'warn' }).entries)).toEqual([2, 3, 4]);
      expect(seqs(log.readCursor({ cursor: 0, minLevel: 'debug' }).entries)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('matches text case-insensitively and literally', () => {
      expect(seqs(log.readCursor({ cursor: 0, text: 'shader' }).entries)).toEqual([1, 2]);
      expect(log.readCursor({ cursor: 0, text: '.*' }).entries).toEqual([]);
    });

    it('never holds the cursor back: it moves past skipped entries', () => {
      expect(log.readCursor({ cursor: 0, minLevel: 'error' })).toMatchObject({ cursor: 6 });
      expect(log.readCursor({ cursor: 4, text: 'crash' })).toEqual({ entries: [], cursor: 6, dropped: 0 });
    });

    it('puts the cursor just past the last match when the limit is reached', () => {
      const slice = log.readCursor({ cursor: 0, minLevel: 'warn', limit: 2 });
      expect(seqs(slice.entries)).toEqual([2, 3]);
      expect(slice.cursor).toBe(4);
    });

    it('counts the held entries that pass, when asked for a total', () => {
      expect(log.readCursor({ cursor: 5, minLevel: 'warn', withTotal: true }).total).toBe(3);
      expect(log.readCursor({ cursor: 5, withTotal: true }).total).toBe(6);
    });
  });

  describe('text search over many message blocks', () => {
    // The search passes over the entries between matches (textCandidateFrom) and must pass over
    // none that match: words straddling message ends, a Kelvin sign (folds to k), empty and
    // block-sized messages, logs that wrap around, against a filter of every held entry.
    const piece = fc.constantFrom(
      'ok',
      'needle',
      'NEEDLE',
      'nee',
      'dle',
      '\u212Aelvin',
      'kelvin',
      'é',
      '',
      'x'.repeat(3000),
    );
    const message = fc.array(piece, { maxLength: 4 }).map((words) => words.join(' '));
    const text = fc.constantFrom('needle', 'needle ok', 'kelvin', 'é', 'x'.repeat(30), 'e n', 'dle nee');

    it('finds every entry that holds the text, in cursor reads, totals and pages', () => {
      fc.assert(
        fc.property(
          fc.array(message, { minLength: 1, maxLength: 400 }),
          text,
          fc.nat(300),
          (messages, text, cursor) => {
            const log = new SessionLog(250);
            for (let from = 0; from < messages.length; from += 60) {
              const part = messages.slice(from, from + 60);
              log.append({ ...batch(from, from + part.length), messages: part });
            }
            const pattern = containsTextPattern(text);
            const held = log.readCursor({ cursor: 0 }).entries;
            const matching = held.filter((entry) => pattern.test(entry.message)).map((entry) => entry.seq);
            const read = log.readCursor({ cursor, text, withTotal: true });
            expect(seqs(read.entries)).toEqual(matching.filter((seq) => seq >= cursor));
            expect(read.total).toBe(matching.length);
            expect(seqs(log.readPage({ offset: 2, limit: 3, text }).entries)).toEqual(matching.slice(2, 5));
            const limited = log.readCursor({ cursor: 0, text, limit: 2 });
            expect(seqs(limited.entries)).toEqual(matching.slice(0, 2));
            if (matching.length >= 2) expect(limited.cursor).toBe(matching[1] + 1);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('offset pages', () => {
    it('pages over held entries by position with the total and the logCursor', () => {
      const log = filled(5, 12);
      const page = log.readPage({ offset: 1, limit: 2 });
      expect(seqs(page.entries)).toEqual([8, 9]);
      expect(page).toMatchObject({ total: 5, cursor: 12 });
      expect(log.readPage({ offset: 5, limit: 2 })).toEqual({ entries: [], total: 5, cursor: 12 });
    });

    it('filters first, then pages over what passed', () => {
      const log = new SessionLog(10);
      const levels = [0, 2, 1, 2, 3, 2].map(Number);
      log.append({ messages: levels.map(String), levels, times: levels.map(() => T0), data: null });
      const page = log.readPage({ offset: 1, limit: 2, minLevel: 'warn' });
      expect(seqs(page.entries)).toEqual([3, 4]);
      expect(page.total).toBe(4);
    });
  });

  describe('counters', () => {
    it('counts warnings and errors ever appended, including evicted ones', () => {
      const log = new SessionLog(2);
      const levels = [LEVEL_CODE.warn, LEVEL_CODE.error, LEVEL_CODE.error, LEVEL_CODE.info, LEVEL_CODE.debug];
      log.append({ messages: levels.map(String), levels, times: levels.map(() => T0), data: null });
      expect(log.counters()).toEqual({ logCount: 2, logCursor: 5, warnCount: 1, errorCount: 2 });
    });
  });

  describe('appends', () => {
    it('stores a batch contiguously and in order with its data and times', () => {
      const log = filled(10, 2);
      log.append(batch(2, 5, { data: [undefined, '{"ms":5}', undefined], times: [T0 + 9, T0 + 8, T0 + 7] }));
      const entries = log.readCursor({ cursor: 2 }).entries;
      expect(entries).toEqual([
        { seq: 2, time: T0 + 9, level: LEVEL_CODE.info, message: 'm2', data: undefined },
        { seq: 3, time: T0 + 8, level: LEVEL_CODE.info, message: 'm3', data: '{"ms":5}' },
        { seq: 4, time: T0 + 7, level: LEVEL_CODE.info, message: 'm4', data: undefined },
      ]);
    });
  });
});

describe('SessionLog eviction counts', () => {
  it('counts evicted entries by level, including batch entries never held', () => {
    const log = new SessionLog(3);
    const levels = (codes: number[]): EntryBatch => ({
      messages: codes.map(String),
      levels: codes,
      times: codes.map(() => T0),
      data: null,
    });
    log.append(levels([LEVEL_CODE.debug, LEVEL_CODE.warn]));
    expect(log.evicted).toEqual([0, 0, 0, 0]);
    log.append(levels([LEVEL_CODE.info, LEVEL_CODE.error]));
    expect(log.evicted).toEqual([1, 0, 0, 0]);
    // Five more into a ring of three: the three held (warn, info, error) and the batch's first two go.
    log.append(levels([LEVEL_CODE.info, LEVEL_CODE.info, LEVEL_CODE.debug, LEVEL_CODE.warn, LEVEL_CODE.error]));
    expect(log.evicted).toEqual([1, 3, 1, 1]);
    expect(log.counters().logCount).toBe(3);
  });
});
