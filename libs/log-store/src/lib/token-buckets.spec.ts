import { TokenBuckets } from './token-buckets';

describe('TokenBuckets', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('grants a second worth of entries at once, then refuses with the seconds to wait', () => {
    const buckets = new TokenBuckets(100, clock);
    expect(buckets.take('a', 60)).toBe(0);
    expect(buckets.take('a', 40)).toBe(0);
    expect(buckets.take('a', 1)).toBe(1);
    // Another key has its own bucket.
    expect(buckets.take('b', 100)).toBe(0);
  });

  it('refills at the rate, and a refused take costs nothing', () => {
    const buckets = new TokenBuckets(100, clock);
    buckets.take('a', 100);
    for (let i = 0; i < 5; i++) expect(buckets.take('a', 10)).toBe(1);
    now += 100; // 10 tokens back
    expect(buckets.take('a', 10)).toBe(0);
    expect(buckets.take('a', 1)).toBe(1);
  });

  it('lets a batch larger than a second through once, then makes its key wait for the debt', () => {
    const buckets = new TokenBuckets(100, clock);
    expect(buckets.take('a', 450)).toBe(0);
    expect(buckets.take('a', 1)).toBe(4); // 350 in debt: a token again after 3.51 s
    now += 3_000;
    expect(buckets.take('a', 1)).toBe(1);
    now += 600;
    expect(buckets.take('a', 1)).toBe(0);
  });

  it('says how long a key must wait without taking anything', () => {
    const buckets = new TokenBuckets(100, clock);
    expect(buckets.wait('a')).toBe(0);
    expect(buckets.take('a', 450)).toBe(0);
    expect(buckets.wait('a')).toBe(4);
    expect(buckets.wait('a')).toBe(4);
    expect(buckets.wait('b')).toBe(0);
    now += 3_520; // 350 in debt refilled at 100/s: 2 tokens
    expect(buckets.wait('a')).toBe(0);
    // Waiting took nothing: both tokens are still there to take.
    expect(buckets.take('a', 2)).toBe(0);
    expect(buckets.wait('a')).toBe(1);
  });

  it("gives back a refused request's tokens, no more than a full bucket, and keeps no bucket for a key it forgot", () => {
    const buckets = new TokenBuckets(100, clock);
    expect(buckets.take('a', 450)).toBe(0);
    expect(buckets.take('a', 1)).toBe(4); // 350 in debt
    buckets.refund('a', 400);
    // 50 tokens back in the bucket: a second's worth is the most, as a refill is.
    expect(buckets.take('a', 100)).toBe(0);
    expect(buckets.take('a', 1)).toBe(1);
    // A bucket in debt gets back what was given, no more.
    buckets.refund('a', 60);
    expect(buckets.take('a', 60)).toBe(0);
    expect(buckets.take('a', 1)).toBe(1);
    // A full bucket is no bucket: forgotten at once, as the sweep would.
    buckets.refund('a', 1_000);
    expect(buckets.size).toBe(0);
    // A key forgotten meanwhile (an ended session) has nothing to get back.
    buckets.refund('b', 10);
    expect(buckets.size).toBe(0);
  });

  it('forgets idle keys, and only those: the ones that took a token within the second are kept', () => {
    const buckets = new TokenBuckets(10, clock);
    for (let i = 0; i < 5000; i++) buckets.take(`k${i}`, 1);
    now += 1_000; // the k keys' buckets are full again: idle
    for (let i = 0; i < 5000; i++) buckets.take(`n${i}`, 1);
    // Which keys are held, not only how many: a sweep that forgot the keys in use and kept the
    // idle ones held fewer than 5,000 too.
    const held = [...(buckets as unknown as { buckets: Map<string, unknown> }).buckets.keys()];
    expect(held.filter((key) => key.startsWith('k'))).toEqual([]);
    expect(held).toEqual(Array.from({ length: 5000 }, (_, i) => `n${i}`));
  });

  it('holds at most maxKeys buckets, however many keys are in debt: the longest-held go first', () => {
    const buckets = new TokenBuckets(1, clock, 2_000);
    // 10,000 client addresses, each 1,000 s in debt: without the bound, 10,000 buckets for 1,000 s.
    for (let i = 0; i < 10_000; i++) expect(buckets.take(`2001:db8::${i.toString(16)}`, 1_000)).toBe(0);
    expect(buckets.size).toBe(2_000);
    // The newest are still held and limited; the oldest were forgotten.
    expect(buckets.take('2001:db8::270f', 1)).toBeGreaterThan(0);
    expect(buckets.wait('2001:db8::0')).toBe(0);
  });

  it('forgets refilled buckets before any in debt when at maxKeys', () => {
    const buckets = new TokenBuckets(1, clock, 2_000);
    expect(buckets.take('debtor', 1_000)).toBe(0);
    for (let i = 0; i < 1_999; i++) buckets.take(`idle ${i}`, 1);
    now += 2_000; // the idle ones have refilled; the debtor has not
    buckets.take('new', 1);
    expect(buckets.size).toBeLessThanOrEqual(2_000);
    expect(buckets.wait('debtor')).toBeGreaterThan(0);
  });
});
