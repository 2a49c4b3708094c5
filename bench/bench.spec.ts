import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The suite only checks that the benchmark runs and yields every figure from valid
// runs (no errors, no non-2xx answers). How fast is for `npm run bench` to say.
describe('npm run bench -- --quick', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bench's own JSON, read figure by figure
  let results: Record<string, any>;

  beforeAll(() => {
    execFileSync(process.execPath, [join(__dirname, 'run.mjs'), '--quick'], {
      cwd: join(__dirname, '..'),
      stdio: 'pipe',
    });
    results = JSON.parse(readFileSync(join(__dirname, 'results', 'quick.json'), 'utf8'));
  });

  it('reports no invalid run', () => {
    expect(results['invalid']).toEqual([]);
  });

  it.each(['bare', 'naive', 'api'])('measures ingest and reads on the %s server', (kind) => {
    const figures = results[kind];
    const workloads = ['jsonBatch', 'textBatch', 'single', 'tailLoaded', 'tailUnloaded', 'offsetMiddle'];
    for (const workload of [...workloads, 'filteredLoaded', 'filteredUnloaded', 'ndjsonDownload', 'textDownload']) {
      expect([workload, figures[workload].requestsPerSecond > 0]).toEqual([workload, true]);
      expect(Number.isFinite(figures[workload].latencyP99)).toBe(true);
    }
    expect(figures.jsonBatch.entriesPerSecond).toBe(figures.jsonBatch.requestsPerSecond * 100);
    expect(figures.ndjsonDownload.bytesPerSecond).toBeGreaterThan(0);
  });

  it('measures memory per held entry on the three servers, for 100-byte messages and a cook log', () => {
    for (const run of [
      'memoryApi',
      'memoryBare',
      'memoryNaive',
      'memoryApiCook',
      'memoryBareCook',
      'memoryNaiveCook',
    ]) {
      expect([run, results[run].bytesPerEntry > 0]).toEqual([run, true]);
    }
    expect(results['memoryApiCook'].messageBytesPerEntry).toBeGreaterThan(40);
  });

  it('measures the others while one session floods, with the per-session limit off and on', () => {
    const isolated = results['isolated'];
    for (const run of ['alone', 'off', 'on']) expect(isolated[run].othersRps).toBeGreaterThan(0);
    expect(isolated.off.floodRps).toBeGreaterThan(0);
    // With the limit on, the flooding client is answered 429 for most of its batches.
    expect(isolated.on.floodRejected).toBeGreaterThan(0);
  });

  it('measures memory per held entry, WebSocket latency and the sessions push', () => {
    expect(results['memoryApi'].bytesPerEntry).toBeGreaterThan(0);
    expect(results['live'].receipts).toBe(results['live'].expected);
    expect(results['memoryBare'].bytesPerEntry).toBeGreaterThan(0);
    expect(Number.isFinite(results['live'].p99)).toBe(true);
    expect(results['push'].cpuMsPerTick).toBeGreaterThanOrEqual(0);
    expect(results['push'].bytesPerTickPerClient).toBeGreaterThan(0);
  });

  it('measures the CLI s start-up, the overhead of zen-sessions run and the session logger', () => {
    const { startUp, run, logger } = results['client'];
    expect(startUp.valid).toBe(true);
    expect(startUp.versionCpu).toBeGreaterThan(0);
    expect(startUp.bareCpu).toBeGreaterThan(0);
    expect(run.valid).toBe(true);
    expect(run.wrappedSeconds).toBeGreaterThan(0);
    expect(run.bareSeconds).toBeGreaterThan(0);
    expect(logger.entriesPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(logger.logP99Us)).toBe(true);
  });

  it('measures the sessions feed in delta and full mode against the changes alone, and a bare ws server sending the same frames', () => {
    const feed = results['feed'];
    expect(feed.delta.deltas).toBeGreaterThan(0);
    expect(feed.delta.listings).toBe(0);
    expect(feed.full.listings).toBeGreaterThan(0);
    expect(feed.deltaFramesPerSecond).toBeGreaterThan(0);
    expect(feed.deltaFrameBytes).toBeGreaterThan(36);
    for (const figure of ['deltaCpuPercentOfCore', 'fullCpuPercentOfCore', 'bareWsCpuPercentOfCore']) {
      expect([figure, Number.isFinite(feed[figure])]).toEqual([figure, true]);
    }
    // The delta share is the median pair's: one of the pairs' figures.
    expect(feed.deltaCpuPercentRounds.length).toBeGreaterThan(0);
    expect(feed.deltaCpuPercentRounds).toContain(feed.deltaCpuPercentOfCore);
  });

  it('measures the dashboard in Chromium: filter keystrokes and follow mode', () => {
    expect(results['ui'].keystrokeMedianMs).toBeGreaterThan(0);
    expect(Number.isFinite(results['ui'].followLagSecondHalf)).toBe(true);
    expect(results['ui'].followCatchUpMs).toBeGreaterThanOrEqual(0);
    // How long what the page received waited to be shown, sampled while following.
    for (const view of ['ui', 'merged']) {
      expect([view, results[view].followWaitMedianMs >= 0, results[view].followWaitMaxMs >= 0]).toEqual([
        view,
        true,
        true,
      ]);
    }
  });

  it('measures the Redis store: ingest against the bare script, core shares, append on A to log on B, tail read, memory, listing', () => {
    const redis = results['redis'];
    for (const figure of [
      'bareBatchEntriesPerSecond',
      'jsonBatchEntriesPerSecond',
      'replicaCorePercent',
      'redisBytesPerHeldEntry',
    ]) {
      expect([figure, redis[figure] > 0]).toEqual([figure, true]);
    }
    for (const figure of ['redisCorePercent', 'crossReplicaLogEventP99Ms', 'tailReadP99Ms', 'listSessionsP99Ms']) {
      expect([figure, Number.isFinite(redis[figure])]).toEqual([figure, true]);
    }
    expect(redis.crossReplicaSamples).toBeGreaterThan(0);
    expect(redis.crossReplicaBackgroundEntriesPerSecond).toBeGreaterThan(0);
    expect(redis.listedSessions).toBeGreaterThanOrEqual(100);
  });
});
