import { eventually, RedisServer } from '@zen/testing';
import { createClient } from 'redis';
import { addEntry, EntryBatch, emptyBatch, LEVEL_CODE } from '../entry-batch';
import { LogNotFoundError, SessionEndedError, StoreUnavailableError } from '../errors';
import { SessionRecord } from '../session-record';
import { SessionChange } from '../session-registry';
import { RedisKeys } from './redis-keys';
import { newSessionPairs, pairsToHash } from './session-hash';
import { redisSuite, RedisSuiteOptions } from '../../testing';

// A real redis-server is stopped and restarted here: generous on a busy machine.
jest.setTimeout(30_000);

/**
 * What the Redis stores add to the conformance suite: several replicas on one Redis,
 * the change feed between them, server sessions, and Redis going away and coming back.
 */

const suite = redisSuite();
let prefix: string;
let prefixes = 0;

beforeEach(() => {
  prefix = `test${++prefixes}:`;
});

/** One replica's stores on the test's Redis and prefix. */
async function replica(options: RedisSuiteOptions = {}) {
  const stores = await suite.open({ keyPrefix: prefix, ...options });
  await eventually(() => stores.ready());
  return stores;
}

function batch(...messages: string[]): EntryBatch {
  const entries = emptyBatch();
  for (const message of messages) addEntry(entries, message, LEVEL_CODE.info, Date.now());
  return entries;
}

const newSession = (id: string, server = false) => ({ id, fields: { appname: 'test' }, clientAddress: null, server });

/** How many `HGETALL`s the Redis behind `raw` has run: the reads of a whole session hash. */
async function hgetallCalls(raw: { info(section: string): Promise<string> }): Promise<number> {
  return Number(/cmdstat_hgetall:calls=(\d+)/.exec(await raw.info('commandstats'))?.[1] ?? 0);
}
const ID = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const ID2 = 'bbbbbbbbbbbbbbbbbbbbbbbb';

describe('Redis stores, several replicas on one Redis', () => {
  it('shows a session created and appended to through one replica on another', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.sessions.create(newSession(ID));
    await b.logs.append(ID, batch('one', 'two'));
    const read = await a.logs.readCursor(ID, { cursor: 0 });
    expect(read.entries.map((entry) => [entry.seq, entry.message])).toEqual([
      [0, 'one'],
      [1, 'two'],
    ]);
    const record = await b.sessions.get(ID);
    expect(record?.log).toEqual({ logCount: 2, logCursor: 2, warnCount: 0, errorCount: 0 });
    expect((await a.sessions.list('active')).map((session) => session.id)).toEqual([ID]);
  });

  it('keeps seq contiguous and every batch whole when two replicas append to one log at once', async () => {
    const [a, b] = [await replica({ capacity: 10_000 }), await replica({ capacity: 10_000 })];
    await a.sessions.create(newSession(ID));
    const appends = [];
    for (let i = 0; i < 40; i++) {
      const messages = Array.from({ length: 10 }, (_, j) => `${i}:${j}`);
      appends.push((i % 2 ? a : b).logs.append(ID, batch(...messages)));
    }
    await Promise.all(appends);
    const { entries, cursor } = await b.logs.readCursor(ID, { cursor: 0 });
    expect(cursor).toBe(400);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    // Each batch's ten entries are contiguous and in order.
    for (let at = 0; at < 400; at += 10) {
      const [batchNo] = entries[at].message.split(':');
      expect(entries.slice(at, at + 10).map((entry) => entry.message)).toEqual(
        Array.from({ length: 10 }, (_, j) => `${batchNo}:${j}`),
      );
    }
  });

  it('refuses an append to a session another replica ended, changing nothing', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.sessions.create(newSession(ID));
    await a.logs.append(ID, batch('before'));
    await b.sessions.end(ID, 'deleted');
    await expect(a.logs.append(ID, batch('after'))).rejects.toBeInstanceOf(SessionEndedError);
    expect((await b.logs.readCursor(ID, { cursor: 0 })).entries.map((entry) => entry.message)).toEqual(['before']);
    await expect(a.logs.append(ID2, batch('nowhere'))).rejects.toBeInstanceOf(LogNotFoundError);
  });

  it("answers an append's check from the copy it read, without reading Redis again, until the session ends anywhere", async () => {
    const [a, b] = [await replica(), await replica()];
    const raw = await createClient({ url: suite.redis.url }).connect();
    await a.sessions.create(newSession(ID));
    expect((await a.sessions.getForAppend(ID))?.status).toBe('active');
    const before = await hgetallCalls(raw);
    for (let i = 0; i < 5; i++) {
      await a.logs.append(ID, batch(`entry ${i}`));
      expect((await a.sessions.getForAppend(ID))?.status).toBe('active');
    }
    expect(await hgetallCalls(raw)).toBe(before);
    await b.sessions.end(ID, 'deleted');
    await eventually(async () => (await a.sessions.getForAppend(ID))?.status === 'ended');
    await raw.quit();
  });

  it("reads an append's check from Redis again for a server session, and after the change feed was lost", async () => {
    const a = await replica();
    const raw = await createClient({ url: suite.redis.url }).connect();
    await a.sessions.create(newSession(ID, true));
    await a.sessions.getForAppend(ID);
    const before = await hgetallCalls(raw);
    expect((await a.sessions.getForAppend(ID))?.server).toBe(true);
    expect(await hgetallCalls(raw)).toBe(before + 1);
    await a.sessions.create(newSession(ID2));
    await a.sessions.getForAppend(ID2);
    // Ended with no announcement, as if its feed message was published while a was not subscribed.
    await raw.hSet(`${prefix}{${ID2}}:session`, 'status', 'ended');
    expect((await a.sessions.getForAppend(ID2))?.status).toBe('active');
    await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await eventually(async () => (await a.sessions.getForAppend(ID2))?.status === 'ended');
    await raw.quit();
  });

  it('shares a rate-limit bucket among replicas, refuses without taking, and keeps no key once it has refilled', async () => {
    const [a, b] = [await replica(), await replica()];
    const [onA, onB] = [a.buckets, b.buckets];
    if (!onA || !onB) throw new Error('the Redis stores hold no shared buckets');
    const raw = await createClient({ url: suite.redis.url }).connect();
    // A batch larger than a second's worth gets in through one replica, then the other refuses.
    expect(await onA.take('session', ID, 10, 25)).toBe(0);
    expect(await onB.take('session', ID, 10, 1)).toBeGreaterThanOrEqual(1);
    expect(await onB.take('session', ID, 10, 0)).toBeGreaterThanOrEqual(1);
    // Another key's bucket, and another limit's for the same key, are their own.
    expect(await onB.take('session', ID2, 10, 1)).toBe(0);
    expect(await onB.take('client', ID, 10, 1)).toBe(0);
    // A forced take charges an empty bucket and answers 0; the debt then lasts longer.
    expect(await onA.take('session', ID, 10, 10, true)).toBe(0);
    expect(await onA.take('session', ID, 10, 0)).toBeGreaterThanOrEqual(2);
    const key = new RedisKeys(prefix).bucket('session', ID);
    expect(await raw.pTTL(key)).toBeGreaterThan(0);
    await eventually(async () => (await raw.exists(key)) === 0, 20_000, 'the refilled bucket gone');
    expect(await onB.take('session', ID, 10, 1)).toBe(0);
    await raw.quit();
  });

  it('gives a shared bucket back what a refused request took, up to a full bucket, and a full bucket is no key', async () => {
    const a = await replica();
    const shared = a.buckets;
    if (!shared) throw new Error('the Redis stores hold no shared buckets');
    const raw = await createClient({ url: suite.redis.url }).connect();
    const key = new RedisKeys(prefix).bucket('client', ID);
    expect(await shared.take('client', ID, 10, 45)).toBe(0); // 35 in debt: about 4 s
    expect(await shared.take('client', ID, 10, 0)).toBeGreaterThanOrEqual(3);
    await shared.refund('client', ID, 10, 40);
    // 5 tokens back: the bucket passes a take again, then owes that take's debt.
    expect(await shared.take('client', ID, 10, 30)).toBe(0);
    expect(await shared.take('client', ID, 10, 0)).toBeGreaterThanOrEqual(1);
    expect(await raw.pTTL(key)).toBeGreaterThan(0);
    // More than was taken: a full bucket is the most, as a refill is, and a full bucket is no key.
    await shared.refund('client', ID, 10, 1_000);
    expect(await raw.exists(key)).toBe(0);
    expect(await shared.take('client', ID, 10, 30)).toBe(0);
    expect(await shared.take('client', ID, 10, 0)).toBeGreaterThanOrEqual(1);
    // A bucket that had refilled (no key) gets nothing, and no key.
    await shared.refund('client', ID2, 10, 5);
    expect(await raw.exists(new RedisKeys(prefix).bucket('client', ID2))).toBe(0);
    await raw.quit();
  });

  it("tells every replica's listeners about appends and session changes made through any", async () => {
    const [a, b] = [await replica(), await replica()];
    const appended: [string, number][] = [];
    const changes: SessionChange[] = [];
    b.logs.onAppended((id, cursor) => appended.push([id, cursor]));
    b.sessions.onChanged((change) => changes.push(change));
    await a.sessions.create(newSession(ID));
    await a.logs.append(ID, batch('x', 'y'));
    await a.sessions.update(ID, { fields: { mode: 'editor' }, metadata: 'merge' });
    await a.sessions.end(ID, 'deleted');
    await eventually(() => changes.length >= 4);
    expect(appended).toEqual([[ID, 2]]);
    expect(changes).toEqual([
      { kind: 'created', id: ID },
      { kind: 'appended', id: ID },
      { kind: 'updated', id: ID },
      { kind: 'ended', id: ID },
    ]);
  });

  it('expires each idle session exactly once however many replicas sweep at once', async () => {
    const replicas = [
      await replica({ retainEnded: 100 }),
      await replica({ retainEnded: 100 }),
      await replica({ retainEnded: 100 }),
    ];
    const ids = Array.from({ length: 12 }, (_, i) => i.toString(16).padStart(24, 'c'));
    for (const id of ids) await replicas[0].sessions.create(newSession(id));
    const cutoff = Date.now() + 1;
    const results = await Promise.all(replicas.map((stores) => stores.sessions.expireIdle(cutoff)));
    const expired = results.flat().map((record) => record.id);
    expect(expired.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect((await replicas[1].sessions.get(id))?.endReason).toBe('expired');
    }
    expect(await replicas[2].sessions.expireIdle(Date.now() + 1)).toEqual([]);
  });

  it('keeps the ended-session retention count across replicas, forgetting the earliest ended with their logs', async () => {
    const [a, b] = [await replica({ retainEnded: 2 }), await replica({ retainEnded: 2 })];
    const ids = ['1', '2', '3', '4'].map((digit) => digit.repeat(24));
    for (const id of ids) await a.sessions.create(newSession(id));
    await a.logs.append(ids[0], batch('kept until forgotten'));
    await a.sessions.end(ids[0], 'deleted');
    await b.sessions.end(ids[1], 'deleted');
    await a.sessions.end(ids[2], 'deleted');
    await b.sessions.end(ids[3], 'deleted');
    expect((await a.sessions.list('ended')).map((record) => record.id)).toEqual([ids[3], ids[2]]);
    expect(await b.sessions.get(ids[0])).toBeUndefined();
    await expect(b.logs.readCursor(ids[0], { cursor: 0 })).rejects.toBeInstanceOf(LogNotFoundError);
    expect(await a.sessions.counts()).toEqual({ active: 0, ended: 2 });
  });

  it('lists on one replica every change acknowledged through another before the listing began', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.sessions.create(newSession(ID));
    await a.sessions.create(newSession(ID2));
    for (let i = 1; i <= 20; i++) {
      await b.sessions.list('all'); // b's copies are current before each change
      await a.sessions.update(ID, { fields: { mode: `step ${i}` }, metadata: 'merge' });
      await a.logs.append(ID2, batch(`entry ${i}`));
      const listed = await b.sessions.list('all');
      expect(listed.map((record) => [record.id, record.mode, record.log.logCount])).toEqual([
        [ID2, '', i],
        [ID, `step ${i}`, 0],
      ]);
    }
    await a.sessions.end(ID2, 'deleted');
    expect((await b.sessions.list('active')).map((record) => record.id)).toEqual([ID]);
    expect((await b.sessions.list('ended')).map((record) => [record.id, record.endReason])).toEqual([[ID2, 'deleted']]);
  });

  it('lists newest created first when the creates reached Redis in another order (replicas stamp `created` themselves)', async () => {
    // Two replicas creating at once: a's create is ordered first in Redis but stamped later.
    const now = Date.now();
    const [a, b] = [await replica({ clock: () => now + 3 }), await replica({ clock: () => now })];
    await a.sessions.create(newSession(ID));
    await b.sessions.create(newSession(ID2));
    for (const replica of [a, b]) {
      expect((await replica.sessions.list('all')).map((record) => record.id)).toEqual([ID, ID2]);
      expect((await replica.sessions.list('active')).map((record) => record.id)).toEqual([ID, ID2]);
    }
  });

  it('keeps listing a session whose create was between its two steps when another replica listed', async () => {
    // A create indexes the id, then writes the session (other cluster slots: two steps). A
    // listing between them found an index entry without a session, removed it as a left-over,
    // and the session, written next, was never listed (nor expired) again.
    const [a, b] = [await replica(), await replica()];
    const keys = new RedisKeys(prefix);
    const raw = await createClient({ url: suite.redis.url }).connect();
    try {
      await raw.zAdd(keys.active, { score: 1, value: ID }); // the create's first step
      expect(await b.sessions.list('active')).toEqual([]);
      const record = SessionRecord.create(newSession(ID), Date.now(), 1);
      await raw.hSet(keys.session(ID), pairsToHash(newSessionPairs(record))); // its second
      for (const replica of [a, b]) {
        expect((await replica.sessions.list('active')).map((session) => session.id)).toEqual([ID]);
      }
    } finally {
      raw.destroy();
    }
  });

  it('removes an index entry left without a session (a replica died mid-create) once it has stayed so for 10 s', async () => {
    let now = Date.now();
    const a = await replica({ clock: () => now });
    const keys = new RedisKeys(prefix);
    const raw = await createClient({ url: suite.redis.url }).connect();
    try {
      await raw.zAdd(keys.active, { score: 1, value: ID });
      await a.sessions.list('active');
      now += 9_999;
      await a.sessions.list('active');
      expect(await raw.zScore(keys.active, ID)).toBe(1);
      now += 1;
      await a.sessions.list('active');
      expect(await raw.zScore(keys.active, ID)).toBeNull();
      expect(await a.sessions.counts()).toEqual({ active: 0, ended: 0 });
    } finally {
      raw.destroy();
    }
  });

  it('reads every session from Redis again after the change feed was lost', async () => {
    const b = await replica();
    await b.sessions.create(newSession(ID));
    expect((await b.sessions.list('all')).map((record) => record.appname)).toEqual(['test']);
    // A change nobody announced, as if its feed message was published while b was not subscribed.
    const raw = await createClient({ url: suite.redis.url }).connect();
    try {
      await raw.hSet(`${prefix}{${ID}}:session`, 'appname', 'unannounced');
      // b lists from its copy (this is what the cache saves), until it knows the feed was lost.
      expect((await b.sessions.list('all')).map((record) => record.appname)).toEqual(['test']);
      await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    } finally {
      raw.destroy();
    }
    await eventually(async () => (await b.sessions.list('all'))[0].appname === 'unannounced');
    expect((await b.sessions.get(ID))?.appname).toBe('unannounced');
  });

  it("ends a stopping replica's server session as stopped, and a silent one's as expired", async () => {
    const options = { serverSilenceMs: 600, heartbeatMs: 100 };
    const [a, b, c] = [await replica(options), await replica(options), await replica(options)];
    await a.sessions.create(newSession(ID, true));
    await b.sessions.create(newSession(ID2, true));
    // a stops cleanly; b goes silent (its heartbeat stops, as if the process froze or died).
    await a.close();
    expect((await c.sessions.get(ID))?.endReason).toBe('stopped');
    (b.sessions as unknown as { ownServers: Set<string> }).ownServers.clear();
    await eventually(async () => (await c.sessions.get(ID2))?.status === 'ended');
    expect((await c.sessions.get(ID2))?.endReason).toBe('expired');
    // A live replica's server session outlives the silence period.
    const d = await replica(options);
    const live = 'dddddddddddddddddddddddd';
    await d.sessions.create(newSession(live, true));
    await new Promise((done) => setTimeout(done, 1500));
    expect((await c.sessions.get(live))?.status).toBe('active');
  });

  it('says a server session Redis lost was lost, not ended by another replica', async () => {
    // Redis restarted without persistence: no replica ended it, and an operator reading
    // "ended by another replica (this one was silent too long)" went looking for a pause.
    const events: string[] = [];
    const a = await replica({ serverSilenceMs: 60_000, heartbeatMs: 50, onEvent: (event) => events.push(event) });
    await a.sessions.create(newSession(ID, true));
    const raw = await createClient({ url: suite.redis.url }).connect();
    try {
      await raw.del(new RedisKeys(prefix).session(ID));
    } finally {
      raw.destroy();
    }
    await eventually(() => events.length > 0);
    expect(events).toEqual([`server session ${ID} is no longer in the session store (its data was lost)`]);
  });

  it('leave the word on a lost server session to its owner when told so, and stop beating it', async () => {
    // The API's ServerSession says it (`… creating another`): the heartbeat's line said it twice (stop 52).
    const events: string[] = [];
    const a = await replica({
      serverSilenceMs: 60_000,
      heartbeatMs: 50,
      lostServerSessionsToldByOwner: true,
      onEvent: (event) => events.push(event),
    });
    await a.sessions.create(newSession(ID, true));
    const owned = (a.sessions as unknown as { ownServers: Set<string> }).ownServers;
    const raw = await createClient({ url: suite.redis.url }).connect();
    try {
      await raw.del(new RedisKeys(prefix).session(ID));
    } finally {
      raw.destroy();
    }
    await eventually(() => !owned.has(ID), 10_000, 'the heartbeat finding it gone');
    expect(events).toEqual([]);
  });
});

describe('Redis stores when Redis goes away', () => {
  it('fail with StoreUnavailableError naming the store, and recover by themselves with nothing lost', async () => {
    const a = await replica();
    await a.sessions.create(newSession(ID));
    await a.logs.append(ID, batch('acknowledged'));
    const appended: number[] = [];
    a.logs.onAppended((_, cursor) => appended.push(cursor));
    await suite.redis.stop();
    await expect(a.logs.append(ID, batch('lost'))).rejects.toThrow(StoreUnavailableError);
    await expect(a.sessions.get(ID)).rejects.toThrow(/session store \(Redis at 127\.0\.0\.1:\d+\)/);
    expect(await a.ready()).toBe(false);
    await suite.redis.restart();
    await eventually(() => a.ready());
    expect((await a.logs.readCursor(ID, { cursor: 0 })).entries.map((entry) => entry.message)).toEqual([
      'acknowledged',
    ]);
    // The feed resubscribed: after the outage listeners hear of the session again, then of new appends.
    await eventually(() => appended.includes(1));
    await a.logs.append(ID, batch('after'));
    await eventually(() => appended.includes(2));
  });

  it('start while Redis is down, and become ready once it is up', async () => {
    await suite.redis.stop();
    const stores = await suite.open({ capacity: 10, maxActiveClients: 10, keyPrefix: prefix, commandTimeoutMs: 1000 });
    expect(await stores.ready()).toBe(false);
    await expect(stores.sessions.list('all')).rejects.toBeInstanceOf(StoreUnavailableError);
    await suite.redis.restart();
    await eventually(() => stores.ready());
    await stores.sessions.create(newSession(ID));
    expect((await stores.sessions.list('all')).length).toBe(1);
  });

  it('fail a command slower than the timeout with StoreUnavailableError, and answer again once Redis does', async () => {
    const slow = await RedisServer.start();
    try {
      const stores = await suite.open({
        capacity: 10,
        maxActiveClients: 10,
        url: slow.url,
        keyPrefix: prefix,
        commandTimeoutMs: 200,
      });
      await stores.sessions.create(newSession(ID));
      const blocker = createClient({ url: slow.url });
      await blocker.connect();
      try {
        // Redis holds every other client's commands for 1.5 s from its OK: no race with a sleep
        // that might reach it after the command under test (a busy machine).
        await blocker.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL']);
        const paused = performance.now();
        await expect(stores.sessions.get(ID)).rejects.toThrow(/session store .* no answer within 200 ms/);
        // Rejected by the timeout while Redis held it, not by anything after the pause.
        expect(performance.now() - paused).toBeLessThan(1500);
      } finally {
        blocker.destroy();
      }
      await eventually(async () => (await stores.sessions.get(ID).catch(() => undefined))?.id === ID);
    } finally {
      await slow.close();
    }
  });

  it('never half-applies a batch when Redis is killed mid-traffic, and keeps every acknowledged one', async () => {
    const crashing = await RedisServer.start({ args: ['--appendfsync', 'always'] });
    try {
      const stores = await suite.open({
        capacity: 100_000,
        maxActiveClients: 10,
        url: crashing.url,
        keyPrefix: prefix,
        commandTimeoutMs: 1000,
      });
      await stores.sessions.create(newSession(ID));
      const acknowledged: number[] = [];
      let failed = 0;
      let stop = false;
      const writers = Array.from({ length: 4 }, async (_, writer) => {
        for (let round = 0; !stop; round++) {
          const batchNo = writer * 1_000_000 + round;
          const messages = Array.from({ length: 50 }, (_, i) => `${batchNo}:${i}`);
          try {
            await stores.logs.append(ID, batch(...messages));
            acknowledged.push(batchNo);
          } catch (error) {
            expect(error).toBeInstanceOf(StoreUnavailableError);
            failed++;
            await new Promise((done) => setTimeout(done, 20));
          }
        }
      });
      await eventually(() => acknowledged.length >= 20);
      await crashing.kill();
      await eventually(() => failed >= 4);
      await crashing.restart();
      await eventually(() => stores.ready());
      const after = acknowledged.length;
      await eventually(() => acknowledged.length >= after + 20);
      stop = true;
      await Promise.all(writers);

      const { entries, cursor } = await stores.logs.readCursor(ID, { cursor: 0 });
      expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: cursor }, (_, i) => i));
      const batches = new Map<string, number>();
      for (const entry of entries) {
        const [batchNo] = entry.message.split(':');
        batches.set(batchNo, (batches.get(batchNo) ?? 0) + 1);
      }
      // Every batch in the log is whole, and every acknowledged batch is in the log.
      expect([...batches.values()].every((count) => count === 50)).toBe(true);
      for (const batchNo of acknowledged) expect(batches.get(String(batchNo))).toBe(50);
    } finally {
      await crashing.close();
    }
  });
});
