import { MemoryLogStore, MemorySessionRegistry, RateLimitedError } from '@zen/log-store';
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
});
