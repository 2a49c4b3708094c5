import { LEVEL_CODE } from '../lib/entry-batch';
import { LogNotFoundError } from '../lib/errors';
import { StoredEntry } from '../lib/log-store';
import { StoresFactory } from '../lib/stores';
import { infoBatch, levelBatch, T0 } from './batches';
import { eventually } from '@zen/testing';
import { ConformanceOptions, newSessionId, replicaHarness, storesHarness } from './harness';

const seqs = (entries: StoredEntry[]) => entries.map((entry) => entry.seq);
const messages = (entries: StoredEntry[]) => entries.map((entry) => entry.message);

/**
 * Every behaviour of the LogStore contract, run against one implementation. Call it
 * at the top level of a spec; `factory` builds fresh stores for each test (it may be
 * async: connect to a server started in the spec's `beforeAll`) and each test closes
 * what it opened. Shared stores must pass it too, so change feeds are awaited with a
 * deadline, never assumed synchronous. With `conformance.replica`, what must hold
 * across replicas sharing the store is checked too.
 */
export function describeLogStoreConformance(
  name: string,
  factory: StoresFactory,
  conformance: ConformanceOptions = {},
): void {
  describe(`LogStore conformance: ${name}`, () => {
    const open = storesHarness(factory);
    const replicaOf = replicaHarness(conformance);

    async function logWith(capacity: number, count = 0) {
      const { logs } = await open({ capacity });
      const id = newSessionId();
      await logs.create(id);
      if (count > 0) await logs.append(id, infoBatch(0, count));
      return { logs, id };
    }

    describe('appends', () => {
      it('starts a log empty and numbers entries 0, 1, 2, … across batches, in order', async () => {
        const { logs } = await open();
        const id = newSessionId();
        expect(await logs.create(id)).toEqual({ logCount: 0, logCursor: 0, warnCount: 0, errorCount: 0 });
        await logs.append(id, infoBatch(0, 3));
        await logs.append(id, infoBatch(3, 4));
        await logs.append(id, infoBatch(4, 9));
        const { entries } = await logs.readCursor(id, { cursor: 0 });
        expect(seqs(entries)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
        expect(messages(entries)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
      });

      it('answers the counters right after the append', async () => {
        const { logs, id } = await logWith(100);
        expect(await logs.append(id, infoBatch(0, 2))).toEqual({
          logCount: 2,
          logCursor: 2,
          warnCount: 0,
          errorCount: 0,
        });
        expect(
          await logs.append(
            id,
            levelBatch([
              ['warn', 'w'],
              ['error', 'e'],
              ['error', 'e2'],
            ]),
          ),
        ).toEqual({
          logCount: 5,
          logCursor: 5,
          warnCount: 1,
          errorCount: 2,
        });
      });

      it('gives back time, level, message and data as written (data as JSON text, absent when not given)', async () => {
        const { logs, id } = await logWith(100);
        await logs.append(id, {
          messages: ['plain', 'héllo wörld 日本語 🎮', 'with "quotes" and\nnewline'],
          levels: [LEVEL_CODE.debug, LEVEL_CODE.warn, LEVEL_CODE.error],
          times: [T0, T0 + 1, T0 + 2],
          data: [undefined, '{"ms":5,"nested":{"a":[1,2]}}', undefined],
        });
        expect((await logs.readCursor(id, { cursor: 0 })).entries).toEqual([
          { seq: 0, time: T0, level: LEVEL_CODE.debug, message: 'plain', data: undefined },
          {
            seq: 1,
            time: T0 + 1,
            level: LEVEL_CODE.warn,
            message: 'héllo wörld 日本語 🎮',
            data: '{"ms":5,"nested":{"a":[1,2]}}',
          },
          { seq: 2, time: T0 + 2, level: LEVEL_CODE.error, message: 'with "quotes" and\nnewline', data: undefined },
        ]);
      });

      it('changes nothing for an empty batch', async () => {
        const { logs, id } = await logWith(100, 3);
        expect(await logs.append(id, infoBatch(0, 0))).toMatchObject({ logCount: 3, logCursor: 3 });
        expect(seqs((await logs.readCursor(id, { cursor: 0 })).entries)).toEqual([0, 1, 2]);
      });

      it('keeps logs of different sessions apart', async () => {
        const { logs } = await open();
        const [a, b] = [newSessionId(), newSessionId()];
        await Promise.all([logs.create(a), logs.create(b)]);
        await logs.append(a, infoBatch(0, 2, 'a'));
        await logs.append(b, infoBatch(0, 3, 'b'));
        expect(messages((await logs.readCursor(a, { cursor: 0 })).entries)).toEqual(['a0', 'a1']);
        expect(messages((await logs.readCursor(b, { cursor: 0 })).entries)).toEqual(['b0', 'b1', 'b2']);
      });
    });

    describe('concurrency', () => {
      it('gives many parallel appends to one session contiguous seqs: none lost, none duplicated, each batch whole', async () => {
        const { logs, id } = await logWith(10_000);
        const batches = 40;
        const size = 25;
        const answers = await Promise.all(
          Array.from({ length: batches }, (_, b) => logs.append(id, infoBatch(0, size, `b${b}-`))),
        );
        const { entries } = await logs.readCursor(id, { cursor: 0 });
        expect(seqs(entries)).toEqual(Array.from({ length: batches * size }, (_, i) => i));
        // All-or-nothing and in order: every batch's entries form one contiguous run.
        for (let b = 0; b < batches; b++) {
          const start = entries.findIndex((entry) => entry.message === `b${b}-0`);
          expect(messages(entries.slice(start, start + size))).toEqual(infoBatch(0, size, `b${b}-`).messages);
        }
        // Each append answered its own counters: distinct cursors, each a multiple of the batch size.
        const cursors = answers.map((counters) => counters.logCursor).sort((x, y) => x - y);
        expect(cursors).toEqual(Array.from({ length: batches }, (_, b) => (b + 1) * size));
      });

      it('keeps parallel appends to different sessions apart', async () => {
        const { logs } = await open();
        const ids = Array.from({ length: 8 }, () => newSessionId());
        await Promise.all(ids.map((id) => logs.create(id)));
        await Promise.all(ids.flatMap((id) => [0, 1, 2].map(() => logs.append(id, infoBatch(0, 5)))));
        for (const id of ids) {
          expect((await logs.readCursor(id, { cursor: 0 })).cursor).toBe(15);
        }
      });
    });

    describe('eviction', () => {
      it('holds at most capacity entries and evicts the oldest', async () => {
        const { logs, id } = await logWith(4, 10);
        expect(seqs((await logs.readCursor(id, { cursor: 0 })).entries)).toEqual([6, 7, 8, 9]);
        expect(await logs.append(id, infoBatch(10, 10))).toMatchObject({ logCount: 4, logCursor: 10 });
      });

      it('reports as dropped the entries at and after the cursor that were evicted', async () => {
        const { logs, id } = await logWith(4, 10);
        expect(await logs.readCursor(id, { cursor: 0 })).toMatchObject({ dropped: 6, cursor: 10 });
        expect(await logs.readCursor(id, { cursor: 4 })).toMatchObject({ dropped: 2 });
        expect(await logs.readCursor(id, { cursor: 6 })).toMatchObject({ dropped: 0 });
      });

      it('counts a batch larger than the capacity but holds only its newest entries', async () => {
        const { logs, id } = await logWith(3, 2);
        expect(await logs.append(id, infoBatch(2, 10))).toMatchObject({ logCount: 3, logCursor: 10 });
        expect(messages((await logs.readCursor(id, { cursor: 0 })).entries)).toEqual(['m7', 'm8', 'm9']);
      });

      it('keeps entries intact across many evictions', async () => {
        const { logs, id } = await logWith(50);
        for (let from = 0; from < 230; from += 7) await logs.append(id, infoBatch(from, Math.min(from + 7, 230)));
        const { entries } = await logs.readCursor(id, { cursor: 0 });
        expect(seqs(entries)).toEqual(Array.from({ length: 50 }, (_, i) => 180 + i));
        expect(entries.every((entry) => entry.message === `m${entry.seq}` && entry.time === T0 + entry.seq)).toBe(true);
      });
    });

    describe('cursor reads', () => {
      it('returns held entries from the cursor and the cursor one past the last', async () => {
        const { logs, id } = await logWith(10, 5);
        const slice = await logs.readCursor(id, { cursor: 2 });
        expect(seqs(slice.entries)).toEqual([2, 3, 4]);
        expect(slice).toMatchObject({ cursor: 5, dropped: 0 });
      });

      it('keeps the cursor unchanged when nothing is new, even past the end', async () => {
        const { logs, id } = await logWith(10, 5);
        expect(await logs.readCursor(id, { cursor: 5 })).toEqual({ entries: [], cursor: 5, dropped: 0 });
        expect(await logs.readCursor(id, { cursor: 9 })).toEqual({ entries: [], cursor: 9, dropped: 0 });
      });

      it('stops at the limit with the cursor just past the last entry returned', async () => {
        const { logs, id } = await logWith(10, 8);
        const first = await logs.readCursor(id, { cursor: 1, limit: 3 });
        expect(seqs(first.entries)).toEqual([1, 2, 3]);
        expect(first.cursor).toBe(4);
        const rest = await logs.readCursor(id, { cursor: first.cursor, limit: 3 });
        expect(seqs(rest.entries)).toEqual([4, 5, 6]);
        expect(await logs.readCursor(id, { cursor: rest.cursor, limit: 3 })).toMatchObject({ cursor: 8, dropped: 0 });
      });

      it('returns nothing for limit 0 and does not move a cursor that points at held entries', async () => {
        const { logs, id } = await logWith(10, 5);
        expect(await logs.readCursor(id, { cursor: 2, limit: 0 })).toEqual({ entries: [], cursor: 2, dropped: 0 });
      });

      it('returns nothing for limit 0 and moves a cursor behind the held entries to the oldest held, counting the evicted as dropped', async () => {
        const { logs, id } = await logWith(4, 10);
        expect(await logs.readCursor(id, { cursor: 2, limit: 0 })).toEqual({ entries: [], cursor: 6, dropped: 4 });
        expect(await logs.readCursor(id, { cursor: 0, limit: 0 })).toEqual({ entries: [], cursor: 6, dropped: 6 });
      });

      it('filters by level (this level or more severe) and by text (case-insensitive, taken literally)', async () => {
        const { logs, id } = await logWith(100);
        await logs.append(
          id,
          levelBatch([
            ['debug', 'Shader a.b'],
            ['info', 'texture axb'],
            ['warn', 'SHADER slow'],
            ['error', 'crash'],
            ['error', 'shader crash'],
          ]),
        );
        expect(seqs((await logs.readCursor(id, { cursor: 0, minLevel: 'warn' })).entries)).toEqual([2, 3, 4]);
        expect(seqs((await logs.readCursor(id, { cursor: 0, text: 'shader' })).entries)).toEqual([0, 2, 4]);
        expect(seqs((await logs.readCursor(id, { cursor: 0, text: 'a.b' })).entries)).toEqual([0]);
        expect(seqs((await logs.readCursor(id, { cursor: 0, minLevel: 'error', text: 'Shader' })).entries)).toEqual([
          4,
        ]);
        // A filtered read still moves the cursor past everything it looked at.
        expect(await logs.readCursor(id, { cursor: 0, minLevel: 'error', text: 'nothing' })).toMatchObject({
          entries: [],
          cursor: 5,
        });
      });

      it('counts the held entries passing the filter when asked (withTotal)', async () => {
        const { logs, id } = await logWith(4);
        await logs.append(
          id,
          levelBatch([
            ['warn', 'a'],
            ['info', 'b'],
            ['warn', 'c'],
            ['info', 'd'],
            ['warn', 'e'],
          ]),
        );
        expect((await logs.readCursor(id, { cursor: 0, withTotal: true })).total).toBe(4);
        expect((await logs.readCursor(id, { cursor: 3, minLevel: 'warn', withTotal: true })).total).toBe(2);
        expect((await logs.readCursor(id, { cursor: 0 })).total).toBeUndefined();
      });
    });

    describe('page reads', () => {
      it('pages through held entries by position with the total and the logCursor', async () => {
        const { logs, id } = await logWith(5, 8);
        const page = await logs.readPage(id, { offset: 1, limit: 2 });
        expect(seqs(page.entries)).toEqual([4, 5]);
        expect(page).toMatchObject({ total: 5, cursor: 8 });
        expect(seqs((await logs.readPage(id, { offset: 4, limit: 10 })).entries)).toEqual([7]);
        expect(await logs.readPage(id, { offset: 5, limit: 10 })).toEqual({ entries: [], total: 5, cursor: 8 });
      });

      it('counts offset and total among the entries passing the filter', async () => {
        const { logs, id } = await logWith(100);
        await logs.append(
          id,
          levelBatch([
            ['info', 'x1'],
            ['warn', 'y1'],
            ['error', 'x2'],
            ['warn', 'X3'],
            ['debug', 'x4'],
          ]),
        );
        const page = await logs.readPage(id, { offset: 1, limit: 1, minLevel: 'warn', text: 'x' });
        expect(seqs(page.entries)).toEqual([3]);
        expect(page).toMatchObject({ total: 2, cursor: 5 });
      });
    });

    describe('counters', () => {
      it('counts warnings and errors ever appended, evicted ones included', async () => {
        const { logs, id } = await logWith(2);
        await logs.append(
          id,
          levelBatch([
            ['warn', 'w1'],
            ['error', 'e1'],
            ['warn', 'w2'],
          ]),
        );
        expect(
          await logs.append(
            id,
            levelBatch([
              ['info', 'i'],
              ['debug', 'd'],
              ['error', 'e2'],
            ]),
          ),
        ).toEqual({
          logCount: 2,
          logCursor: 6,
          warnCount: 2,
          errorCount: 2,
        });
      });
    });

    describe('missing logs', () => {
      it('rejects appends and reads of a log that does not exist with LogNotFoundError', async () => {
        const { logs } = await open();
        const id = newSessionId();
        await expect(logs.append(id, infoBatch(0, 1))).rejects.toBeInstanceOf(LogNotFoundError);
        await expect(logs.readCursor(id, { cursor: 0 })).rejects.toBeInstanceOf(LogNotFoundError);
        await expect(logs.readPage(id, { offset: 0, limit: 1 })).rejects.toBeInstanceOf(LogNotFoundError);
      });

      it('forgets a deleted log; deleting a missing one does nothing', async () => {
        const { logs, id } = await logWith(10, 3);
        await logs.delete(id);
        await expect(logs.readCursor(id, { cursor: 0 })).rejects.toBeInstanceOf(LogNotFoundError);
        await expect(logs.delete(id)).resolves.toBeUndefined();
        await expect(logs.delete(newSessionId())).resolves.toBeUndefined();
      });
    });

    describe('change feed', () => {
      it('announces every non-empty append with its session and logCursor, and nothing after unsubscribing', async () => {
        const { logs, id } = await logWith(100);
        const heard: [string, number][] = [];
        const stop = logs.onAppended((sessionId, cursor) => {
          if (sessionId === id) heard.push([sessionId, cursor]);
        });
        await logs.append(id, infoBatch(0, 2));
        await logs.append(id, infoBatch(0, 0));
        await logs.append(id, infoBatch(2, 5));
        await eventually(() =>
          expect(heard).toEqual([
            [id, 2],
            [id, 5],
          ]),
        );
        stop();
        await logs.append(id, infoBatch(5, 6));
        // A later listener hears this append: by then an earlier one would have too.
        const later: number[] = [];
        const stopLater = logs.onAppended((sessionId, cursor) => sessionId === id && later.push(cursor));
        await logs.append(id, infoBatch(6, 7));
        await eventually(() => expect(later).toContain(7));
        stopLater();
        expect(heard).toEqual([
          [id, 2],
          [id, 5],
        ]);
      });

      it('announces appends to every listener', async () => {
        const { logs, id } = await logWith(100);
        const first: number[] = [];
        const second: number[] = [];
        const stops = [
          logs.onAppended((sessionId, cursor) => sessionId === id && first.push(cursor)),
          logs.onAppended((sessionId, cursor) => sessionId === id && second.push(cursor)),
        ];
        await logs.append(id, infoBatch(0, 1));
        await eventually(() => {
          expect(first).toEqual([1]);
          expect(second).toEqual([1]);
        });
        stops.forEach((stop) => stop());
      });
    });

    describe('stats', () => {
      it('totals entries appended and evicted by level, deleted logs included', async () => {
        const { logs, id } = await logWith(2);
        const before = await logs.stats();
        await logs.append(
          id,
          levelBatch([
            ['warn', 'w'],
            ['error', 'e'],
            ['info', 'i'],
            ['info', 'j'],
          ]),
        );
        await logs.delete(id);
        const after = await logs.stats();
        const delta = (key: 'appended' | 'evicted') => after[key].map((count, level) => count - before[key][level]);
        expect(delta('appended')).toEqual([0, 2, 1, 1]);
        expect(delta('evicted')).toEqual([0, 0, 1, 1]);
      });
    });

    if (replicaOf) {
      describe('across replicas', () => {
        it('keeps seq contiguous and batches whole when two replicas append to one session at once', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const id = newSessionId();
          await a.logs.create(id);
          const size = 10;
          await Promise.all(
            Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).logs.append(id, infoBatch(0, size, `r${n}-`))),
          );
          const { entries } = await b.logs.readCursor(id, { cursor: 0 });
          expect(seqs(entries)).toEqual(Array.from({ length: 200 }, (_, i) => i));
          for (let n = 0; n < 20; n++) {
            const start = entries.findIndex((entry) => entry.message === `r${n}-0`);
            expect(messages(entries.slice(start, start + size))).toEqual(infoBatch(0, size, `r${n}-`).messages);
          }
          expect(await a.logs.readPage(id, { offset: 0, limit: 5 })).toEqual(
            await b.logs.readPage(id, { offset: 0, limit: 5 }),
          );
        });

        it('announces appends made through the other replica', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const id = newSessionId();
          await a.logs.create(id);
          const heard: number[] = [];
          const stop = b.logs.onAppended((sessionId, cursor) => sessionId === id && heard.push(cursor));
          await a.logs.append(id, infoBatch(0, 3));
          await eventually(() => expect(heard).toEqual([3]));
          stop();
        });
      });
    }
  });
}
