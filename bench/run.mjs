#!/usr/bin/env node
// The benchmark: `npm run bench` (about 13 minutes on 2 cores) or `npm run bench -- --quick` (seconds,
// as the test suite runs it). Loopback only; the server under test is pinned to core 0,
// load generators to core 1. Throughput is reported as a ratio to two baselines measured in
// the same run: a bare node:http server serving the same routes on the same store
// (bench/bare-server.ts: what the framework costs) and a naive node:http server keeping
// entries as plain objects (bench/naive-server.ts: what the store's design is worth).
// The rounds themselves live in files of their own (http-rounds, memory, isolation,
// live-updates, client, dashboard, redis); this file runs those BENCH_ONLY names, prints the
// table (report.mjs) and writes bench/results.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';
import { clientWorkloads } from './client.mjs';
import { BENCH, REPO } from './common.mjs';
import { dashboardWorkloads, mergedDashboardWorkloads } from './dashboard.mjs';
import { ingest, reads } from './http-rounds.mjs';
import { isolation } from './isolation.mjs';
import { fanout, listPush, sessionsFeed } from './live-updates.mjs';
import { memory } from './memory.mjs';
import { ONLY, QUICK, skipped, wanted } from './options.mjs';
import { redisWorkloads } from './redis.mjs';
import { fmt, invalidRuns, printTable } from './report.mjs';
import { startServer } from './servers.mjs';

/** The dashboard in Chromium against the built server (pinned like the others). */
async function dashboard() {
  const server = await startServer('api');
  try {
    return await dashboardWorkloads(server, { entries: QUICK ? 2000 : 10_000, followSeconds: QUICK ? 2 : 10 });
  } finally {
    await server.stop();
  }
}

/** The merged view of 20 sessions in Chromium: a filter keystroke, and follow mode at 5,000 entries/s. */
async function mergedDashboard() {
  const server = await startServer('api');
  try {
    return await mergedDashboardWorkloads(server, {
      sessions: 20,
      entries: QUICK ? 500 : 10_000,
      followSeconds: QUICK ? 2 : 10,
    });
  } finally {
    await server.stop();
  }
}

async function main() {
  const started = Date.now();
  await build();
  const none = { bare: {}, naive: {}, api: {}, ratios: {} };
  const ingested = wanted('throughput') ? await ingest() : none;
  const read = wanted('throughput') ? await reads() : none;
  const bare = { ...ingested.bare, ...read.bare };
  const naive = { ...ingested.naive, ...read.naive };
  const api = { ...ingested.api, ...read.api };
  const memoryRuns = {};
  for (const kind of ['api', 'bare', 'naive']) {
    memoryRuns[kind] = wanted('memory') ? await memory(kind) : skipped;
    memoryRuns[`${kind}Cook`] = wanted('memory') ? await memory(kind, 'cook') : skipped;
  }
  const { api: memoryApi, bare: memoryBare, naive: memoryNaive } = memoryRuns;
  const { apiCook: memoryApiCook, bareCook: memoryBareCook, naiveCook: memoryNaiveCook } = memoryRuns;
  const isolated = wanted('isolation') ? await isolation() : skipped;
  const live = wanted('fanout') ? await fanout() : skipped;
  const push = wanted('push') ? await listPush() : skipped;
  const feed = wanted('feed') ? await sessionsFeed() : skipped;
  const ui = wanted('dashboard') ? await dashboard() : skipped;
  const merged = wanted('dashboard') ? await mergedDashboard() : skipped;
  const client = wanted('client')
    ? await clientWorkloads({ startServer, repo: REPO, bench: BENCH, quick: QUICK })
    : { startUp: skipped, run: skipped, logger: skipped };
  const redis = wanted('redis') ? await redisWorkloads({ quick: QUICK }) : skipped;
  const checks = {
    ingestRatios: { ...ingested.ratios, rounds: ingested.rounds, seconds: ingested.seconds },
    readRatios: { ...read.ratios, rounds: read.rounds, seconds: read.seconds },
    bare,
    naive,
    api,
    memoryApi,
    memoryBare,
    memoryNaive,
    memoryApiCook,
    memoryBareCook,
    memoryNaiveCook,
    isolated,
    live,
    push,
    feed,
    ui,
    merged,
    client,
    redis,
  };
  printTable(checks);
  const invalid = invalidRuns(checks, memoryRuns);
  const results = {
    date: new Date().toISOString(),
    quick: QUICK,
    seconds: (Date.now() - started) / 1000,
    node: process.version,
    ...checks,
    invalid,
  };
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(
    join(BENCH, 'results', QUICK ? 'quick.json' : ONLY ? 'partial.json' : 'latest.json'),
    JSON.stringify(results, null, 2),
  );
  console.log(
    `\n${invalid.length ? `INVALID runs (errors or non-2xx answers): ${invalid.join(', ')}` : 'All runs valid.'} (${fmt(results.seconds)} s)`,
  );
  process.exitCode = invalid.length ? 1 : 0;
}

await main();
