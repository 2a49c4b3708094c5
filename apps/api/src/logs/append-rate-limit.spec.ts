import { MemoryLogStore, MemorySessionRegistry, RateLimitedError } from '@zen/log-store';
import { createRedisStores } from '@zen/log-store/redis';
import { RedisServer } from '@zen/testing';
import { AppConfig } from '../config/app-config';
import { AppendRateLimit } from './append-rate-limit';

describe('append rate limit: what it holds per session', () => {
  it("forgets an ended session's bucket, though its debt would keep it for hours", async () => {
    const registry = new MemorySessionRegistry(new MemoryLogStore(10), { retainEnded: 0, maxActiveClients: 100 });
    const limit = new AppendRateLimit(new AppConfig({ maxAppendEntriesPerS: 1 }), registry);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = i.toString(16).padStart(24, '0');
      await registry.create({ id, fields: { appname: 'churn' }, clientAddress: null });
      // 20,000 entries at 1 a second: 20,000 s of debt, which the sweep keeps.
      limit.check(id, '127.0.0.1', 20_000);
      ids.push(id);
    }
    expect(limit.held().sessions).toBe(50);
    expect(() => limit.check(ids[0], '127.0.0.1', 1)).toThrow(RateLimitedError);
    for (const id of ids.slice(0, 30)) await registry.endReporting(id, 'deleted');
    expect(limit.held().sessions).toBe(20);
    // The sessions still active are still limited.
    expect(() => limit.check(ids[49], '127.0.0.1', 1)).toThrow(RateLimitedError);
    limit.onModuleDestroy();
  });

  it('remembers at most MAX_RATE_LIMIT_BUCKETS buckets per limit, the longest-remembered forgotten', async () => {
    const registry = new MemorySessionRegistry(new MemoryLogStore(10), { retainEnded: 0, maxActiveClients: 100 });
    const config = new AppConfig({ maxAppendEntriesPerS: 1, maxClientAppendEntriesPerS: 1, maxRateLimitBuckets: 10 });
    const limit = new AppendRateLimit(config, registry);
    for (let i = 0; i < 50; i++) {
      const id = i.toString(16).padStart(24, '0');
      await registry.create({ id, fields: { appname: 'many' }, clientAddress: null });
      limit.check(id, `2001:db8::${i.toString(16)}`, 20_000);
    }
    expect(limit.held()).toEqual({ sessions: 10, clients: 10 });
    // The first session's debt was forgotten with its bucket; the last one's is still owed.
    expect(() => limit.check('0'.repeat(24), '2001:db8::0', 1)).not.toThrow();
    expect(() => limit.check((49).toString(16).padStart(24, '0'), '2001:db8::ffff', 1)).toThrow(RateLimitedError);
    limit.onModuleDestroy();
  });
});

describe('append rate limit: giving back with the buckets in Redis', () => {
  it('returns at once while Redis is stalled, and the refund it then loses rejects nothing unhandled', async () => {
    const redis = await RedisServer.start();
    const stores = await createRedisStores({
      capacity: 100,
      retainEnded: 10,
      maxActiveClients: 10,
      commandTimeoutMs: 300,
      url: redis.url,
      keyPrefix: 'refund:',
    });
    const unhandled: unknown[] = [];
    const keep = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', keep);
    const config = new AppConfig({ maxAppendEntriesPerS: 10, maxClientAppendEntriesPerS: 10 });
    const limit = new AppendRateLimit(config, stores.sessions, stores);
    try {
      await limit.check('ab12ab12ab12ab12ab12ab12', '127.0.0.1', 50);
      redis.pause();
      const started = performance.now();
      // As when the store's answer was a 503 because Redis stopped answering.
      expect(limit.refund('ab12ab12ab12ab12ab12ab12', '127.0.0.1', 50)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(100);
      // Past the command timeout: the refund has failed by now.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', keep);
      redis.resume();
      limit.onModuleDestroy();
      await stores.close();
      await redis.close();
    }
  });
});
