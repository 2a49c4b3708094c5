import { SessionMetadata } from '@zen/contract';
import {
  LogNotFoundError,
  SessionEndedError,
  SessionExistsError,
  SessionNotFoundError,
  TooManySessionsError,
} from '../lib/errors';
import { NewSession, SessionRecord, UPDATED_LEAD_MS } from '../lib/session-record';
import { SessionChange, SessionRegistry } from '../lib/session-registry';
import { StoresFactory, StoresOptions } from '../lib/stores';
import { infoBatch, T0 } from './batches';
import { eventually } from '@zen/testing';
import { ConformanceOptions, newSessionId, replicaHarness, storesHarness } from './harness';

function metadata(entries: Record<string, unknown>): SessionMetadata {
  return Object.assign(Object.create(null), entries);
}

function client(appname: string, more: Partial<NewSession> = {}): NewSession {
  return { id: newSessionId(), fields: { appname }, clientAddress: '127.0.0.1', ...more };
}

/**
 * Each of `ids` ended, as expired, at `at`, as every registry reads it: ended, not only
 * answered by the sweep.
 */
async function expectExpiredAt(registries: SessionRegistry[], ids: Iterable<string>, at: number): Promise<void> {
  for (const id of ids) {
    for (const registry of registries) {
      expect((await registry.get(id))?.toSession()).toMatchObject({
        status: 'ended',
        endReason: 'expired',
        ended: new Date(at).toISOString(),
      });
    }
  }
}

/**
 * Every behaviour of the SessionRegistry contract, run against one implementation
 * (with the LogStore it was built with). As for describeLogStoreConformance, the
 * factory builds fresh stores per test. Registries must take every timestamp from
 * `options.clock`: the suite moves a fake clock (a replica must take the same clock).
 * With `conformance.replica`, what must hold across replicas is checked too.
 */
export function describeSessionRegistryConformance(
  name: string,
  factory: StoresFactory,
  conformance: ConformanceOptions = {},
): void {
  describe(`SessionRegistry conformance: ${name}`, () => {
    const openStores = storesHarness(factory);
    const replicaOf = replicaHarness(conformance);
    let now = T0;
    const clock = () => now;
    beforeEach(() => (now = T0));
    const open = (options: Partial<StoresOptions> = {}) => openStores({ clock, ...options });

    describe('create and get', () => {
      it('creates an active session with defaults and an empty log, and gets it back', async () => {
        const { sessions, logs } = await open();
        const created = await sessions.create(client('UnrealEditor'));
        const session = created.toSession();
        expect(session).toEqual({
          id: created.id,
          appname: 'UnrealEditor',
          mode: '',
          jobid: null,
          metadata: {},
          status: 'active',
          created: new Date(T0).toISOString(),
          updated: new Date(T0).toISOString(),
          ended: null,
          endReason: null,
          logCount: 0,
          logCursor: 0,
          warnCount: 0,
          errorCount: 0,
          clientAddress: '127.0.0.1',
        });
        expect(created.server).toBe(false);
        expect((await sessions.get(created.id))?.toSession()).toEqual(session);
        expect(await logs.readCursor(created.id, { cursor: 0 })).toEqual({ entries: [], cursor: 0, dropped: 0 });
      });

      it('keeps the fields given, metadata as data (a __proto__ key is an ordinary key)', async () => {
        const { sessions } = await open();
        const meta = metadata({ project: 'Lyra', nested: { a: [1, 2] } });
        Object.defineProperty(meta, '__proto__', { value: 'x', enumerable: true });
        const record = await sessions.create(
          client('Game', { fields: { appname: 'Game', mode: 'editor', jobid: 'build-1', metadata: meta } }),
        );
        const session = (await sessions.get(record.id))?.toSession();
        expect(session).toMatchObject({ appname: 'Game', mode: 'editor', jobid: 'build-1' });
        expect(JSON.parse(JSON.stringify(session?.metadata))).toEqual(
          JSON.parse('{"project":"Lyra","nested":{"a":[1,2]},"__proto__":"x"}'),
        );
      });

      it('serialises a session as its object, and again after every change', async () => {
        const { sessions } = await open();
        const record = await sessions.create(client('Json'));
        expect(JSON.parse(record.toJson())).toEqual(record.toSession());
        now += 1000;
        await sessions.update(record.id, { fields: { mode: 'changed' }, metadata: 'merge' });
        // A missing record parses as null, which matches no object.
        const json = async () => JSON.parse((await sessions.get(record.id))?.toJson() ?? 'null');
        expect(await json()).toMatchObject({
          mode: 'changed',
          updated: new Date(T0 + 1000).toISOString(),
        });
        await sessions.end(record.id, 'deleted');
        expect(await json()).toMatchObject({ status: 'ended' });
      });

      it('answers undefined for an unknown id', async () => {
        const { sessions } = await open();
        expect(await sessions.get(newSessionId())).toBeUndefined();
      });

      it('rejects an id already taken, active or ended, with SessionExistsError', async () => {
        const { sessions } = await open();
        const first = client('First');
        await sessions.create(first);
        await expect(sessions.create({ ...first, fields: { appname: 'Second' } })).rejects.toBeInstanceOf(
          SessionExistsError,
        );
        await sessions.end(first.id, 'deleted');
        await expect(sessions.create(first)).rejects.toBeInstanceOf(SessionExistsError);
        expect((await sessions.get(first.id))?.appname).toBe('First');
      });

      it('creates one session when the same id is created twice at once', async () => {
        const { sessions } = await open();
        const session = client('Race');
        const results = await Promise.allSettled([sessions.create(session), sessions.create(session)]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(SessionExistsError);
        expect((await sessions.list('all')).filter((record) => record.id === session.id)).toHaveLength(1);
      });

      it('refuses a client session past the maximum of active ones (TooManySessionsError), not a server session', async () => {
        const { sessions } = await open({ maxActiveClients: 2 });
        const server = await sessions.create(client('zenserver', { server: true }));
        const [a] = [await sessions.create(client('a')), await sessions.create(client('b'))];
        await expect(sessions.create(client('c'))).rejects.toThrow(new TooManySessionsError(2));
        expect(server.server).toBe(true);
        await sessions.create(client('zenserver', { server: true }));
        await sessions.end(a.id, 'deleted');
        await expect(sessions.create(client('d'))).resolves.toMatchObject({ appname: 'd' });
      });

      it('holds the maximum of active client sessions when creates come at once', async () => {
        const { sessions } = await open({ maxActiveClients: 3 });
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => sessions.create(client(`c${i}`))),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
        for (const result of results.filter((each) => each.status === 'rejected')) {
          expect((result as PromiseRejectedResult).reason).toBeInstanceOf(TooManySessionsError);
        }
        expect(await sessions.list('active')).toHaveLength(3);
      });
    });

    describe('update', () => {
      it('replaces the fields given, keeps the others and moves updated', async () => {
        const { sessions } = await open();
        const record = await sessions.create(
          client('App', { fields: { appname: 'App', mode: 'm', jobid: 'j', metadata: metadata({ a: 1 }) } }),
        );
        now += 5000;
        const updated = await sessions.update(record.id, { fields: { mode: 'n', jobid: null }, metadata: 'merge' });
        expect(updated.toSession()).toMatchObject({
          appname: 'App',
          mode: 'n',
          jobid: null,
          metadata: { a: 1 },
          updated: new Date(T0 + 5000).toISOString(),
          created: new Date(T0).toISOString(),
        });
        expect((await sessions.get(record.id))?.toSession()).toEqual(updated.toSession());
      });

      it('merges metadata keys into the stored ones, or replaces the metadata wholesale', async () => {
        const { sessions } = await open();
        const record = await sessions.create(
          client('App', { fields: { appname: 'App', metadata: metadata({ a: 1, b: 2 }) } }),
        );
        const merged = await sessions.update(record.id, {
          fields: { metadata: metadata({ b: 3, c: 4 }) },
          metadata: 'merge',
        });
        expect(merged.toSession().metadata).toEqual({ a: 1, b: 3, c: 4 });
        const replaced = await sessions.update(record.id, {
          fields: { metadata: metadata({ z: 0 }) },
          metadata: 'replace',
        });
        expect(replaced.toSession().metadata).toEqual({ z: 0 });
      });

      it('applies every one of many metadata merges made at once', async () => {
        const { sessions } = await open();
        const record = await sessions.create(client('Merges'));
        const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
        await Promise.all(
          keys.map((key, i) =>
            sessions.update(record.id, { fields: { metadata: metadata({ [key]: i }) }, metadata: 'merge' }),
          ),
        );
        // Every key, each with the value its merge gave.
        expect((await sessions.get(record.id))?.toSession().metadata).toEqual(
          Object.fromEntries(keys.map((key, i) => [key, i])),
        );
      });

      it('checks merged metadata before changing anything; a throwing check rejects the whole update', async () => {
        const { sessions } = await open();
        const record = await sessions.create(
          client('App', { fields: { appname: 'App', metadata: metadata({ a: 1 }) } }),
        );
        const seen: SessionMetadata[] = [];
        const reject = (merged: SessionMetadata) => {
          seen.push({ ...merged });
          throw new Error('too big after merging');
        };
        now += 1000;
        await expect(
          sessions.update(record.id, {
            fields: { mode: 'x', metadata: metadata({ b: 2 }) },
            metadata: 'merge',
            checkMerged: reject,
          }),
        ).rejects.toThrow('too big after merging');
        expect(seen).toEqual([{ a: 1, b: 2 }]);
        expect((await sessions.get(record.id))?.toSession()).toMatchObject({
          mode: '',
          metadata: { a: 1 },
          updated: new Date(T0).toISOString(),
        });
      });

      it('treats an update without fields as a heartbeat that only moves updated', async () => {
        const { sessions } = await open();
        const record = await sessions.create(client('App'));
        const before = record.toSession();
        now += 2000;
        const after = (await sessions.update(record.id, { fields: {}, metadata: 'merge' })).toSession();
        expect(after).toEqual({ ...before, updated: new Date(T0 + 2000).toISOString() });
      });

      it('moves updated by a millisecond for each change in the millisecond of the last, up to 100 ms ahead', async () => {
        // A client that heartbeats at once would otherwise see `updated` unmoved.
        const { sessions } = await open();
        const record = await sessions.create(client('App'));
        const beat = async () => (await sessions.update(record.id, { fields: {}, metadata: 'merge' })).toSession();
        const at = (ms: number) => new Date(T0 + ms).toISOString();
        expect((await beat()).updated).toBe(at(1));
        // Found by stop 46's audit: a third change in one millisecond left it unmoved (1 ms ahead at most).
        expect((await beat()).updated).toBe(at(2));
        expect((await beat()).updated).toBe(at(3));
        now += 1;
        expect((await beat()).updated).toBe(at(4));
        now += 5;
        expect((await beat()).updated).toBe(at(6));
        // A flood in one millisecond carries it at most UPDATED_LEAD_MS ahead of the clock.
        for (let i = 0; i < 120; i++) await beat();
        expect((await beat()).updated).toBe(at(6 + UPDATED_LEAD_MS));
        now += 1000;
        expect((await beat()).updated).toBe(at(1006));
      });

      it('rejects an unknown session (SessionNotFoundError) and an ended one (SessionEndedError)', async () => {
        const { sessions } = await open();
        await expect(sessions.update(newSessionId(), { fields: {}, metadata: 'merge' })).rejects.toBeInstanceOf(
          SessionNotFoundError,
        );
        const record = await sessions.create(client('App'));
        await sessions.end(record.id, 'deleted');
        await expect(sessions.update(record.id, { fields: { mode: 'x' }, metadata: 'merge' })).rejects.toBeInstanceOf(
          SessionEndedError,
        );
        expect((await sessions.get(record.id))?.mode).toBe('');
      });
    });

    describe('end', () => {
      it('ends a session with its reason and time; its log stays readable', async () => {
        const { sessions, logs } = await open();
        const record = await sessions.create(client('App'));
        await logs.append(record.id, infoBatch(0, 2));
        now += 3000;
        const ended = (await sessions.end(record.id, 'deleted')).toSession();
        expect(ended).toMatchObject({
          status: 'ended',
          ended: new Date(T0 + 3000).toISOString(),
          endReason: 'deleted',
        });
        expect((await logs.readCursor(record.id, { cursor: 0 })).entries).toHaveLength(2);
      });

      it('is idempotent: ending an ended session changes nothing and answers it as it is', async () => {
        const { sessions } = await open();
        const record = await sessions.create(client('App'));
        const first = (await sessions.end(record.id, 'deleted')).toSession();
        now += 1000;
        expect((await sessions.end(record.id, 'expired')).toSession()).toEqual(first);
        expect((await sessions.get(record.id))?.toSession()).toEqual(first);
      });

      it('says which of concurrent ends ended the session: exactly one', async () => {
        const { sessions } = await open();
        const record = await sessions.create(client('App'));
        const outcomes = await Promise.all(
          Array.from({ length: 6 }, () => sessions.endReporting(record.id, 'deleted')),
        );
        expect(outcomes.filter((outcome) => outcome.endedNow)).toHaveLength(1);
        expect(outcomes.every((outcome) => outcome.record.status === 'ended')).toBe(true);
        expect((await sessions.endReporting(record.id, 'deleted')).endedNow).toBe(false);
      });

      it('rejects an unknown session with SessionNotFoundError', async () => {
        const { sessions } = await open();
        await expect(sessions.end(newSessionId(), 'deleted')).rejects.toBeInstanceOf(SessionNotFoundError);
      });
    });

    describe('list and counts', () => {
      it('lists newest created first, by status', async () => {
        const { sessions } = await open();
        const ids: string[] = [];
        for (const appname of ['a', 'b', 'c', 'd']) {
          ids.push((await sessions.create(client(appname))).id);
          now += 1;
        }
        await sessions.end(ids[1], 'deleted');
        await sessions.end(ids[3], 'deleted');
        const listed = async (status: 'active' | 'ended' | 'all') => (await sessions.list(status)).map((r) => r.id);
        expect(await listed('all')).toEqual([ids[3], ids[2], ids[1], ids[0]]);
        expect(await listed('active')).toEqual([ids[2], ids[0]]);
        expect(await listed('ended')).toEqual([ids[3], ids[1]]);
      });

      it('keeps creation order for sessions created in the same millisecond', async () => {
        const { sessions } = await open();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await sessions.create(client(`s${i}`))).id);
        expect((await sessions.list('all')).map((record) => record.id)).toEqual([...ids].reverse());
      });

      it('gives each session its creation order, increasing with every create, on every copy of the record', async () => {
        const { sessions, logs } = await open();
        const created: SessionRecord[] = [];
        for (let i = 0; i < 4; i++) created.push(await sessions.create(client(`o${i}`, { server: i === 1 })));
        const orders = created.map((record) => record.order);
        for (let i = 1; i < orders.length; i++) expect(orders[i]).toBeGreaterThan(orders[i - 1]);
        // The same order wherever the record comes from, whatever changed since.
        now += 10;
        await sessions.update(created[0].id, { fields: { mode: 'm' }, metadata: 'merge' });
        await sessions.recordAppend(created[2].id, await logs.append(created[2].id, infoBatch(0, 1)));
        await sessions.end(created[3].id, 'deleted');
        for (const record of created) expect((await sessions.get(record.id))?.order).toBe(record.order);
        const listed = new Map((await sessions.list('all')).map((record) => [record.id, record.order]));
        expect(created.map((record) => listed.get(record.id))).toEqual(orders);
        // Not part of the session's object.
        expect(Object.keys(created[0].toSession())).not.toContain('order');
        expect(JSON.parse(created[0].toJson())).not.toHaveProperty('order');
      });

      it('lists newest created first and breaks ties of created by creation order, even when the clock went back', async () => {
        const { sessions } = await open();
        now = T0 + 5;
        const newest = await sessions.create(client('newest'));
        // The clock went back (a replica behind the others, or a clock stepped back).
        now = T0;
        const tied: SessionRecord[] = [];
        for (let i = 0; i < 3; i++) tied.push(await sessions.create(client(`tied${i}`)));
        now = T0 - 5;
        const oldest = await sessions.create(client('oldest'));
        // Newest created first; of equal created, the latest create first.
        const expected = [newest, ...[...tied].reverse(), oldest];
        const listed = async (status: 'active' | 'ended' | 'all') => (await sessions.list(status)).map((r) => r.id);
        expect(await listed('all')).toEqual(expected.map((record) => record.id));
        await sessions.end(tied[1].id, 'deleted');
        await sessions.end(newest.id, 'deleted');
        expect(await listed('active')).toEqual([tied[2].id, tied[0].id, oldest.id]);
        expect(await listed('ended')).toEqual([newest.id, tied[1].id]);
      });

      it('counts active sessions (server sessions included) and retained ended ones', async () => {
        const { sessions } = await open();
        await sessions.create(client('zenserver', { server: true }));
        const a = await sessions.create(client('a'));
        await sessions.create(client('b'));
        await sessions.end(a.id, 'deleted');
        expect(await sessions.counts()).toEqual({ active: 2, ended: 1 });
      });
    });

    describe('retention', () => {
      it('forgets the earliest-ended sessions beyond the retention count, with their logs', async () => {
        const { sessions, logs } = await open({ retainEnded: 2 });
        const records = [];
        for (let i = 0; i < 4; i++) records.push(await sessions.create(client(`s${i}`)));
        for (const i of [2, 0, 3, 1]) {
          now += 1;
          await sessions.end(records[i].id, 'deleted');
        }
        // Ended in the order 2, 0, 3, 1: the first two to end are forgotten.
        expect(await sessions.get(records[2].id)).toBeUndefined();
        expect(await sessions.get(records[0].id)).toBeUndefined();
        await expect(logs.readCursor(records[2].id, { cursor: 0 })).rejects.toBeInstanceOf(LogNotFoundError);
        expect((await sessions.list('ended')).map((record) => record.id).sort()).toEqual(
          [records[3].id, records[1].id].sort(),
        );
        expect(await sessions.counts()).toEqual({ active: 0, ended: 2 });
      });

      it('keeps exactly the retention count when sessions end at once', async () => {
        const { sessions } = await open({ retainEnded: 5 });
        for (let round = 0; round < 3; round++) {
          const records = [];
          for (let i = 0; i < 30; i++) records.push(await sessions.create(client(`s${i}`)));
          // Staggered, as requests arrive: one end counts the ended ones while another forgets.
          await Promise.all(
            records.map(async (record, i) => {
              for (let hop = 0; hop < i % 8; hop++) await new Promise((resolve) => setImmediate(resolve));
              await sessions.end(record.id, 'deleted');
            }),
          );
          const retained = await sessions.list('ended');
          expect(retained).toHaveLength(5);
          expect(await sessions.counts()).toEqual({ active: 0, ended: 5 });
        }
      });

      it('keeps no ended session at all with a retention of 0', async () => {
        const { sessions, logs } = await open({ retainEnded: 0 });
        const record = await sessions.create(client('gone'));
        const ended = await sessions.end(record.id, 'deleted');
        expect(ended.status).toBe('ended');
        expect(await sessions.get(record.id)).toBeUndefined();
        await expect(logs.readCursor(record.id, { cursor: 0 })).rejects.toBeInstanceOf(LogNotFoundError);
      });
    });

    describe('expiry', () => {
      it('ends, as expired, the active client sessions idle since before the cutoff, and answers them', async () => {
        const { sessions } = await open();
        const server = await sessions.create(client('zenserver', { server: true }));
        const idle = await sessions.create(client('idle'));
        const ended = await sessions.create(client('ended'));
        await sessions.end(ended.id, 'deleted');
        now += 10_000;
        const fresh = await sessions.create(client('fresh'));
        const expired = await sessions.expireIdle(T0 + 5000);
        expect(expired.map((record) => record.id)).toEqual([idle.id]);
        expect((await sessions.get(idle.id))?.toSession()).toMatchObject({
          status: 'ended',
          endReason: 'expired',
          ended: new Date(T0 + 10_000).toISOString(),
        });
        expect((await sessions.get(server.id))?.active).toBe(true);
        expect((await sessions.get(fresh.id))?.active).toBe(true);
        expect((await sessions.get(ended.id))?.endReason).toBe('deleted');
        expect(await sessions.expireIdle(T0 + 5000)).toEqual([]);
      });

      it('ends each idle session exactly once when several callers expire at once', async () => {
        const { sessions } = await open();
        const ids = new Set<string>();
        for (let i = 0; i < 20; i++) ids.add((await sessions.create(client(`idle${i}`))).id);
        now += 10_000;
        const results = await Promise.all([1, 2, 3, 4].map(() => sessions.expireIdle(T0 + 1)));
        const expired = results.flat().map((record) => record.id);
        expect(expired).toHaveLength(20);
        expect(new Set(expired)).toEqual(ids);
        await expectExpiredAt([sessions], ids, T0 + 10_000);
      });

      it('counts a heartbeat or an append as activity', async () => {
        const { sessions } = await open();
        const beating = await sessions.create(client('beating'));
        const appending = await sessions.create(client('appending'));
        now += 10_000;
        await sessions.update(beating.id, { fields: {}, metadata: 'merge' });
        await sessions.recordAppend(appending.id, { logCount: 1, logCursor: 1, warnCount: 0, errorCount: 0 });
        expect(await sessions.expireIdle(T0 + 5000)).toEqual([]);
      });
    });

    describe('recording appends', () => {
      it('moves updated and the counters', async () => {
        const { sessions, logs } = await open();
        const record = await sessions.create(client('App'));
        now += 700;
        const counters = await logs.append(record.id, infoBatch(0, 3));
        await sessions.recordAppend(record.id, counters);
        expect((await sessions.get(record.id))?.toSession()).toMatchObject({
          logCount: 3,
          logCursor: 3,
          updated: new Date(T0 + 700).toISOString(),
        });
      });

      it('never moves counters backwards when appends resolve out of order', async () => {
        const { sessions } = await open();
        const record = await sessions.create(client('App'));
        const older = { logCount: 5, logCursor: 5, warnCount: 1, errorCount: 0 };
        const newer = { logCount: 8, logCursor: 8, warnCount: 2, errorCount: 1 };
        await sessions.recordAppend(record.id, newer);
        now += 100;
        await sessions.recordAppend(record.id, older);
        expect((await sessions.get(record.id))?.toSession()).toMatchObject({
          ...newer,
          updated: new Date(T0 + 100).toISOString(),
        });
      });

      it('keeps the latest counters when many appends are recorded at once', async () => {
        const { sessions, logs } = await open();
        const record = await sessions.create(client('App'));
        await Promise.all(
          Array.from({ length: 30 }, async () => {
            const counters = await logs.append(record.id, infoBatch(0, 2));
            await sessions.recordAppend(record.id, counters);
          }),
        );
        expect((await sessions.get(record.id))?.toSession()).toMatchObject({ logCount: 60, logCursor: 60 });
      });

      it('refuses to record an append on an ended session (SessionEndedError), changing nothing', async () => {
        // An empty append records no entries, only the sign of life: it must not reach a session
        // that ended after the append's own check (an end through another replica, say).
        const { sessions } = await open();
        const record = await sessions.create(client('App'));
        now += 100;
        const ended = await sessions.end(record.id, 'deleted');
        now += 100;
        await expect(
          sessions.recordAppend(record.id, { logCount: 0, logCursor: 0, warnCount: 0, errorCount: 0 }),
        ).rejects.toBeInstanceOf(SessionEndedError);
        expect((await sessions.get(record.id))?.toSession()).toEqual(ended.toSession());
      });

      it('ignores an append recorded for a session that is gone', async () => {
        const { sessions } = await open();
        await expect(
          sessions.recordAppend(newSessionId(), { logCount: 1, logCursor: 1, warnCount: 0, errorCount: 0 }),
        ).resolves.toBeUndefined();
      });
    });

    describe('change feed', () => {
      it('announces creates, updates, ends, appends and forgotten sessions by id, in order', async () => {
        const { sessions } = await open({ retainEnded: 0 });
        const changes: SessionChange[] = [];
        const stop = sessions.onChanged((change) => changes.push(change));
        const record = await sessions.create(client('Feed'));
        const id = record.id;
        await sessions.update(id, { fields: { mode: 'x' }, metadata: 'merge' });
        await sessions.recordAppend(id, { logCount: 1, logCursor: 1, warnCount: 0, errorCount: 0 });
        await sessions.end(id, 'deleted');
        const expected: SessionChange[] = [
          { kind: 'created', id },
          { kind: 'updated', id },
          { kind: 'appended', id },
          { kind: 'ended', id },
          { kind: 'removed', id },
        ];
        await eventually(() => expect(changes.filter((change) => change.id === id)).toEqual(expected));
        stop();
        const after = await sessions.create(client('Unheard'));
        // A later listener hears this create: by then the stopped one would have too.
        const later: SessionChange[] = [];
        const stopLater = sessions.onChanged((change) => later.push(change));
        await sessions.update(after.id, { fields: {}, metadata: 'merge' });
        await eventually(() => expect(later).toContainEqual({ kind: 'updated', id: after.id }));
        stopLater();
        expect(changes.some((change) => change.id === after.id)).toBe(false);
      });

      it('announces each expiry once', async () => {
        const { sessions } = await open();
        const record = await sessions.create(client('Idle'));
        const ended: string[] = [];
        const stop = sessions.onChanged((change) => change.kind === 'ended' && ended.push(change.id));
        now += 10_000;
        await Promise.all([sessions.expireIdle(T0 + 1), sessions.expireIdle(T0 + 1)]);
        await eventually(() => expect(ended).toEqual([record.id]));
        stop();
      });
    });

    if (replicaOf) {
      describe('across replicas', () => {
        it('shows sessions created, updated, appended to and ended through the other replica', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const record = await a.sessions.create(client('Shared'));
          now += 10;
          await b.sessions.update(record.id, { fields: { mode: 'b' }, metadata: 'merge' });
          now += 10;
          await b.sessions.recordAppend(record.id, await b.logs.append(record.id, infoBatch(0, 2)));
          expect((await a.sessions.get(record.id))?.toSession()).toMatchObject({
            mode: 'b',
            logCursor: 2,
            updated: new Date(T0 + 20).toISOString(),
          });
          await a.sessions.end(record.id, 'deleted');
          expect((await b.sessions.get(record.id))?.status).toBe('ended');
          expect((await b.sessions.list('ended')).map((r) => r.id)).toContain(record.id);
        });

        it('refuses to record an append on a session ended through the other replica', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const record = await a.sessions.create(client('Ending'));
          // B has looked the session up for an append (a replica may keep that copy)...
          expect((await b.sessions.getForAppend(record.id))?.active).toBe(true);
          now += 100;
          const ended = await a.sessions.end(record.id, 'deleted');
          now += 100;
          // ...and records an empty append (nothing for the log to refuse) after the end.
          const counters = await b.logs.append(record.id, infoBatch(0, 0));
          await expect(b.sessions.recordAppend(record.id, counters)).rejects.toBeInstanceOf(SessionEndedError);
          expect((await a.sessions.get(record.id))?.toSession()).toEqual(ended.toSession());
        });

        it('applies every metadata merge made at once through either replica', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const record = await a.sessions.create(client('Merges'));
          // Enough that replicas merging in step (each reading, the other writing) ran one out
          // of attempts every time; 40 did only now and then (a busy CI run).
          const keys = Array.from({ length: 400 }, (_, i) => `k${i}`);
          await Promise.all(
            keys.map((key, i) =>
              [a, b][i % 2].sessions.update(record.id, {
                fields: { metadata: metadata({ [key]: i }) },
                metadata: 'merge',
              }),
            ),
          );
          // Every key, each with the value its merge gave.
          expect((await b.sessions.get(record.id))?.toSession().metadata).toEqual(
            Object.fromEntries(keys.map((key, i) => [key, i])),
          );
        });

        it('holds the maximum of active client sessions when replicas create at once', async () => {
          const a = await open({ maxActiveClients: 3 });
          const b = await replicaOf(a);
          const creates = Array.from({ length: 10 }, (_, i) => [a, b][i % 2].sessions.create(client(`c${i}`)));
          const results = await Promise.allSettled(creates);
          expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
          expect(await b.sessions.list('active')).toHaveLength(3);
        });

        it('creates one session when two replicas create the same id at once', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const session = client('Race');
          const results = await Promise.allSettled([a.sessions.create(session), b.sessions.create(session)]);
          expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        });

        it('expires each idle session exactly once when replicas sweep at once', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const ids = new Set<string>();
          for (let i = 0; i < 10; i++) ids.add((await a.sessions.create(client(`idle${i}`))).id);
          now += 10_000;
          const results = await Promise.all([a, b, a, b].map((stores) => stores.sessions.expireIdle(T0 + 1)));
          const expired = results.flat().map((record) => record.id);
          expect(expired).toHaveLength(10);
          expect(new Set(expired)).toEqual(ids);
          await expectExpiredAt([a.sessions, b.sessions], ids, T0 + 10_000);
        });

        it('numbers creates through either replica in one order, which breaks ties of created in both listings', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const created: SessionRecord[] = [];
          // The same millisecond on both replicas' clocks.
          for (let i = 0; i < 6; i++) created.push(await (i % 2 === 0 ? a : b).sessions.create(client(`tie${i}`)));
          const orders = created.map((record) => record.order);
          for (let i = 1; i < orders.length; i++) expect(orders[i]).toBeGreaterThan(orders[i - 1]);
          const expected = created.map((record) => record.id).reverse();
          expect((await a.sessions.list('all')).map((record) => record.id)).toEqual(expected);
          expect((await b.sessions.list('all')).map((record) => record.id)).toEqual(expected);
          expect((await b.sessions.get(created[0].id))?.order).toBe(orders[0]);
        });

        it('announces changes made through the other replica', async () => {
          const a = await open();
          const b = await replicaOf(a);
          const heard: SessionChange[] = [];
          const stop = b.sessions.onChanged((change) => heard.push(change));
          const record = await a.sessions.create(client('Heard'));
          await a.sessions.end(record.id, 'deleted');
          await eventually(() =>
            expect(heard.filter((change) => change.id === record.id)).toEqual([
              { kind: 'created', id: record.id },
              { kind: 'ended', id: record.id },
            ]),
          );
          stop();
        });
      });
    }
  });
}
