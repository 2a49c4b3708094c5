/**
 * Rate limits by key (a session, a client address): each key has a bucket that fills at
 * `ratePerSecond` up to one second's worth. A take passes while the bucket is not empty
 * and may overdraw it (a batch larger than a second's worth still gets in, then its key
 * waits for the debt to refill); a refused take changes nothing, and a take whose request was
 * refused later is given back (`refund`). Buckets that have filled up again are forgotten, so
 * idle keys cost nothing.
 *
 * At most `maxKeys` buckets are held: past it the longest-held is forgotten, debt and all. A
 * bucket in debt outlives every sweep until the debt is paid (one 500,000-entry append at 1 a
 * second: six days), so keys a client can choose (client addresses: an IPv6 /64 has 2^64)
 * grew the map by one bucket per append, for as long. Forgetting a debt lets only a key back
 * in early, which a client with that many addresses could do anyway with a fresh one.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweepAbove = 1024;
  private sweptAt = -Infinity;

  constructor(
    readonly ratePerSecond: number,
    private readonly clock: () => number = Date.now,
    readonly maxKeys = 100_000,
  ) {}

  /**
   * Takes `count` tokens for `key`: 0 when they are granted, else the whole seconds to
   * wait before the key's bucket holds a token again (at least 1, for a Retry-After).
   */
  take(key: string, count: number): number {
    const now = this.clock();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, now) : this.ratePerSecond;
    if (tokens <= 0) return this.secondsUntilAToken(tokens);
    if (bucket) {
      bucket.tokens = tokens - count;
      bucket.at = now;
    } else {
      this.buckets.set(key, { tokens: tokens - count, at: now });
      if (this.buckets.size > this.sweepAbove) this.sweep(now);
      if (this.buckets.size > this.maxKeys) this.forgetOldest(now);
    }
    return 0;
  }

  /**
   * What `take` would answer for `key` if it were refused, without taking anything: 0 while
   * the bucket holds a token, else the whole seconds to wait. Lets a caller refuse a request
   * before reading what it would count.
   */
  wait(key: string): number {
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, this.clock()) : this.ratePerSecond;
    return tokens <= 0 ? this.secondsUntilAToken(tokens) : 0;
  }

  /**
   * Gives `count` tokens back to `key`'s bucket, up to a full bucket as a refill is: for a request
   * refused after its take (what it took changed nothing). A key with no bucket (full, or forgotten
   * meanwhile) gets nothing, and a bucket that is full again is forgotten.
   */
  refund(key: string, count: number): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    const now = this.clock();
    const tokens = this.refilled(bucket, now) + count;
    if (tokens >= this.ratePerSecond) {
      this.buckets.delete(key);
      return;
    }
    bucket.tokens = tokens;
    bucket.at = now;
  }

  /**
   * Forgets `key`'s bucket, debt and all: for a key that can take no more (an ended session).
   * A bucket in debt is kept until the debt is paid (the sweep keeps it), which for a batch far
   * larger than a second's worth is days; without this, sessions created, filled and ended left
   * one bucket each behind for that long.
   */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** Keys with a bucket held. */
  get size(): number {
    return this.buckets.size;
  }

  private secondsUntilAToken(tokens: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / this.ratePerSecond));
  }

  private refilled(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.ratePerSecond, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
  }

  /** Down to maxKeys: the refilled ones first (a sweep, at most once a second), then the longest-held. */
  private forgetOldest(now: number): void {
    if (now - this.sweptAt >= 1000) this.sweep(now);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) return;
      this.buckets.delete(key);
    }
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.ratePerSecond) this.buckets.delete(key);
    }
    this.sweepAbove = Math.max(1024, this.buckets.size * 2);
  }
}
