#!/usr/bin/env node
// The Redis store's workloads (issue 12): the `redis` section of `npm run bench` (bench/run.mjs
// calls redisWorkloads), or alone with `node bench/redis.mjs [--quick]`. Needs Debian's
// redis-server and the built API. Figures, each beside its baseline from the same run:
// - ingest through one replica (JSON batches of 100, text batches of 100, single appends)
//   against a bare script writing the same entries straight to the same Redis with the
//   same client, pipelined, in the store's layout (one XADD of the batch + the counters);
// - two replicas ingesting into the same Redis against one;
// - append on replica A → `log` event on a WebSocket client of replica B (p50/p99);
// - cursor tail read (100 newest of 10,000), p99, unloaded;
// - GET /sessions with a few thousand sessions, answered by the replica that did not create them;
// - Redis memory per held entry (100-byte message), from INFO memory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import WebSocket from 'ws';
import {
  BENCH,
  cpuSeconds,
  REPO,
  jsonBatch,
  loadAsync,
  message,
  oid,
  percentile,
  post,
  sleep,
  startServer as startNode,
  textBatch,
} from './common.mjs';
import { importBundled, importTypeScript } from './typescript-import.mjs';

// The store's own encoder of a batch as one stream entry, so the bare script writes its layout.
const { batchFields, levelDigits, streamEntrySpans, streamId } = await importTypeScript(
  join(REPO, 'libs/log-store/src/lib/redis/stream-batch.ts'),
);

/** Sizes of a full run, and of the quick one bench.spec.ts runs (a few seconds). */
const FULL = {
  seconds: 5,
  sessions: 32,
  everyIngest: true,
  latencySamples: 500,
  readSamples: 500,
  /** The pause between the fill before the tail read and its first read: the fill's garbage is collected first. */
  readSettleMs: 5_000,
  memorySessions: 10,
  listed: 3000,
};
/** The quick run checks that each kind of workload runs: batches only, and few samples. */
const QUICK = {
  seconds: 1,
  sessions: 4,
  everyIngest: false,
  latencySamples: 30,
  readSamples: 20,
  readSettleMs: 0,
  memorySessions: 1,
  listed: 100,
};
let SIZE = FULL;

/** Redis on core 1: `RedisServer` of @zen/testing, the tests' own, bundled by esbuild for this plain-JS bench. */
async function startRedis() {
  const { RedisServer } = await importBundled(join(REPO, 'libs/testing/src/lib/redis-server.ts'));
  return RedisServer.start({ cores: '1' });
}

function startServer(env, cores) {
  return startNode(join(REPO, 'dist/apps/api/main.js'), { cores, env, readyPath: '/health/ready', readyOk: true });
}

async function createSessions(server, offset, count) {
  for (let i = 0; i < count; i++) await post(`${server.url}/sessions/${oid(offset + i + 1)}`, '{"appname":"bench"}');
}

/** Ingest through the server(s): entries per second, summed over the servers loaded at once. */
async function ingest(servers, offset, kind, perRequest) {
  const bodies = [];
  const body =
    kind === 'text'
      ? textBatch(perRequest)
      : perRequest === 1
        ? JSON.stringify({ level: 'info', message: message(0) })
        : jsonBatch(perRequest);
  for (let i = 0; i < SIZE.sessions; i++) bodies.push({ path: `/sessions/${oid(offset + i + 1)}/log`, body });
  const type = kind === 'text' ? 'text/plain' : 'application/json';
  const results = await Promise.all(
    servers.map((server) =>
      loadAsync({
        url: server.url,
        method: 'POST',
        headers: { 'content-type': type },
        bodies,
        connections: 16,
        duration: SIZE.seconds,
      }),
    ),
  );
  if (!results.every((result) => result.valid)) throw new Error(`invalid load: ${JSON.stringify(results)}`);
  return results.reduce((sum, result) => sum + result.requestsPerSecond * perRequest, 0);
}

/** The baseline: the same entries straight to Redis in the store's layout, pipelined, no script. */
async function bareIngest(url, perRequest) {
  const client = await createClient({ url }).connect();
  const prefix = 'bare:';
  const cursors = new Array(SIZE.sessions).fill(0);
  const deadline = Date.now() + SIZE.seconds * 1000;
  let entries = 0;
  const now = String(Date.now());
  const messages = Array.from({ length: perRequest }, (_, i) => message(i));
  const levels = new Array(perRequest).fill(1);
  const times = new Array(perRequest).fill(Number(now));
  // 16 writers like autocannon's 16 connections, each one batch at a time.
  await Promise.all(
    Array.from({ length: 16 }, async (_, writer) => {
      for (let round = 0; Date.now() < deadline; round++) {
        const session = (writer + round * 16) % SIZE.sessions;
        const key = `${prefix}{${oid(session)}}`;
        const start = cursors[session];
        cursors[session] += perRequest;
        // One pipeline per batch (no MULTI, no script): the batch's stream entry and the counters.
        const batch = { messages: messages.slice(0, perRequest), levels, times, data: null };
        const pipeline = client.multi();
        for (const [from, to] of streamEntrySpans(batch)) {
          const fields = ['l', levelDigits(batch, from, to), ...batchFields(batch, from, to)];
          pipeline.addCommand(['XADD', `${key}:log`, streamId(start + from), ...fields]);
        }
        pipeline.hSet(`${key}:session`, { cursor: start + perRequest, held: start + perRequest, updated: now });
        await pipeline.execAsPipeline();
        entries += perRequest;
      }
    }),
  );
  client.destroy();
  return entries / SIZE.seconds;
}

/** The background for the cross-replica figure: JSON batches of 100 at this many entries/s. */
const BACKGROUND_ENTRIES_PER_SECOND = 20_000;

/**
 * Append on A, time until B's WebSocket client gets the `log` event, while A ingests
 * BACKGROUND_ENTRIES_PER_SECOND into the other sessions. Samples until `samples` or the
 * background load ends, whichever comes first.
 */
async function crossReplicaLatency(a, b, id, samples) {
  const ws = new WebSocket(`${b.url.replace('http', 'ws')}/sessions/ws`);
  await new Promise((resolve) => ws.once('open', resolve));
  let waiting = null;
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    if (frame.event === 'log' && frame.data.entries.length > 0 && waiting) waiting();
  });
  const { logCursor } = await (await fetch(`${b.url}/sessions/${id}`)).json();
  ws.send(JSON.stringify({ event: 'subscribe-log', data: { id, cursor: logCursor } }));
  await sleep(200);
  const bodies = Array.from({ length: SIZE.sessions }, (_, i) => ({
    path: `/sessions/${oid(i + 1)}/log`,
    body: jsonBatch(100),
  }));
  let loading = true;
  const background = loadAsync({
    url: a.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    bodies,
    connections: 8,
    duration: SIZE.seconds + 0.5,
    rate: BACKGROUND_ENTRIES_PER_SECOND / 100,
  }).finally(() => (loading = false));
  await sleep(500);
  const latencies = [];
  for (let i = 0; i < samples && loading; i++) {
    const seen = new Promise((resolve) => (waiting = resolve));
    await post(`${a.url}/sessions/${id}/log`, JSON.stringify({ message: message(i) }));
    const answered = performance.now();
    await seen;
    latencies.push(performance.now() - answered);
    waiting = null;
  }
  ws.close();
  const ingested = await background;
  if (!ingested.valid) throw new Error(`invalid background load: ${JSON.stringify(ingested)}`);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    samples: latencies.length,
    ingestEntriesPerSecond: ingested.requestsPerSecond * 100,
  };
}

/**
 * Times `once()` `warmup + samples` times in a row; answers the last `samples` times in ms
 * (the first calls warm the replica's path up and are not counted).
 */
async function timedCalls(warmup, samples, once) {
  const times = [];
  for (let i = 0; i < warmup + samples; i++) {
    const start = performance.now();
    await once();
    if (i >= warmup) times.push(performance.now() - start);
  }
  return times;
}

/** Reads made before the tail read's samples, not counted: the replica's read path is cold until then. */
const TAIL_READ_WARMUP = 20;

/**
 * The cursor tail read's latency, from one kept-alive `node:http` connection in a process of its
 * own on the load generators' core (bench/timed-gets.mjs). Not `fetch` in the bench's process:
 * fetch's own cost and garbage added ~2 ms to the p99 of 500 reads, and the bench process's
 * collections (its heap holds every earlier workload's results) more: 12.6 ms in a full run
 * against 7.6 ms with the Redis workloads alone (stop 23).
 */
async function tailRead(server, id, samples) {
  await sleep(SIZE.readSettleMs);
  const url = `${server.url}/sessions/${id}/log?cursor=9900`;
  const result = await loadAsync({ url, warmup: TAIL_READ_WARMUP, samples, entries: 100 }, '1', 'timed-gets.mjs');
  if (!result.valid) throw new Error(`tail read: ${result.non2xx} answers were not 100 entries`);
  return { p50: result.p50, p99: result.p99 };
}

/** Fills sessions with 10,000 entries each: Redis's `used_memory` per held entry, and the first session's id. */
async function memoryPerEntry(url, server, offset) {
  const client = await createClient({ url }).connect();
  const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))[1]);
  const sessions = SIZE.memorySessions;
  const before = await used();
  await createSessions(server, offset, sessions);
  for (let s = 0; s < sessions; s++) {
    for (let i = 0; i < 10_000; i += 1000)
      await post(`${server.url}/sessions/${oid(offset + s + 1)}/log`, jsonBatch(1000));
  }
  const after = await used();
  client.destroy();
  return { bytesPerEntry: (after - before) / (sessions * 10_000), filled: oid(offset + 1) };
}

/** GET /sessions on `server` with `count` more sessions created through `creator`: p50/p99 ms. */
async function listing(creator, server, offset, count, samples) {
  for (let i = 0; i < count; i += 50) {
    const ids = Array.from({ length: Math.min(50, count - i) }, (_, j) => oid(offset + i + j + 1));
    await Promise.all(
      ids.map((id) => post(`${creator.url}/sessions/${id}`, '{"appname":"bench","metadata":{"user":"b"}}')),
    );
  }
  let listed = 0;
  const times = await timedCalls(3, samples, async () => {
    listed = (await (await fetch(`${server.url}/sessions`)).json()).sessions.length;
  });
  if (listed < count) throw new Error(`GET /sessions listed ${listed} of at least ${count} sessions`);
  return { sessions: listed, p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

let began = performance.now();
const step = (name) =>
  process.stderr.write(`redis bench: ${name} (${((performance.now() - began) / 1000).toFixed(1)} s)\n`);

/**
 * The share of a core each process used from now to `end()`. Two replicas and Redis cannot each
 * have a core on a 2-core machine, so the one-replica ingest also says how much of a core Redis
 * needed to keep up with a replica that used its core: one Redis core feeds about
 * replicaCore / redisCore such replicas.
 */
function coreShares(pids) {
  const started = performance.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return {
    end() {
      const seconds = (performance.now() - started) / 1000;
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [
          `${name}CorePercent`,
          (100 * (cpuSeconds(pid) - before[name])) / seconds,
        ]),
      );
    },
  };
}

/**
 * Issue 12's workloads on a redis-server of its own (Redis on core 1, the replicas on core 0).
 * Answers the figures, rounded, and `valid` (every load answered 2xx without errors; a failed
 * workload throws).
 */
export async function redisWorkloads({ quick }) {
  SIZE = quick ? QUICK : FULL;
  began = performance.now();
  const redis = await startRedis();
  const env = { LOG_STORE: 'redis', REDIS_URL: redis.url, LOG_CAPACITY: '10000', MAX_SESSIONS: '100000' };
  const figures = {};
  step('replicas');
  // The quick run starts the second replica beside the first (its figures only show that
  // each workload runs); the full run starts it after the one-replica figures.
  const starting = quick ? startServer(env, '0') : undefined;
  const a = await startServer(env, '0');
  try {
    await createSessions(a, 0, SIZE.sessions);
    step('bare ingest');
    figures.bareBatchEntriesPerSecond = await bareIngest(redis.url, 100);
    step('ingest through one replica');
    const busy = coreShares({ replica: a.pid, redis: redis.pid });
    figures.jsonBatchEntriesPerSecond = await ingest([a], 0, 'json', 100);
    Object.assign(figures, busy.end());
    figures.replicasPerRedisCore = figures.replicaCorePercent / figures.redisCorePercent;
    figures.batchRatioToBare = figures.jsonBatchEntriesPerSecond / figures.bareBatchEntriesPerSecond;
    if (SIZE.everyIngest) {
      figures.textBatchEntriesPerSecond = await ingest([a], 0, 'text', 100);
      figures.singleAppendsPerSecond = await ingest([a], 0, 'json', 1);
    }
    step('memory');
    const memory = await memoryPerEntry(redis.url, a, 200_000);
    figures.redisBytesPerHeldEntry = memory.bytesPerEntry;
    step('tail read');
    const read = await tailRead(a, memory.filled, SIZE.readSamples);
    figures.tailReadP50Ms = read.p50;
    figures.tailReadP99Ms = read.p99;

    const b = await (starting ?? startServer(env, '0'));
    try {
      if (SIZE.everyIngest) {
        step('two replicas');
        figures.twoReplicasJsonBatchEntriesPerSecond = await ingest([a, b], 0, 'json', 100);
        figures.twoReplicasRatioToOne =
          figures.twoReplicasJsonBatchEntriesPerSecond / figures.jsonBatchEntriesPerSecond;
      }
      step('cross-replica latency');
      const probe = oid(400_000);
      await createSessions(a, 399_999, 1);
      const latency = await crossReplicaLatency(a, b, probe, SIZE.latencySamples);
      figures.crossReplicaLogEventP50Ms = latency.p50;
      figures.crossReplicaLogEventP99Ms = latency.p99;
      figures.crossReplicaSamples = latency.samples;
      figures.crossReplicaBackgroundEntriesPerSecond = latency.ingestEntriesPerSecond;
      step('listing');
      const listed = await listing(a, b, 300_000, SIZE.listed, SIZE.readSamples);
      figures.listedSessions = listed.sessions;
      figures.listSessionsP50Ms = listed.p50;
      figures.listSessionsP99Ms = listed.p99;
    } finally {
      if (!starting) await b.stop();
    }
  } finally {
    if (starting) await (await starting).stop().catch(() => undefined);
    await a.stop();
    await redis.close();
  }
  const rounded = Object.fromEntries(
    Object.entries(figures).map(([key, value]) => [key, Math.round(value * 100) / 100]),
  );
  return { ...rounded, valid: true };
}

/**
 * The section's rows in bench/run.mjs's table, each made by its `note(label, value, detail,
 * target)`; `memoryStoreBytes` is the memory store's RSS per held entry from the same run.
 */
export function redisRows(figures, { note, fmt, memoryStoreBytes }) {
  const ms = (p50, p99) => `${fmt(p50, 1)}/${fmt(p99, 1)}`;
  const ratio = (value) => (value === undefined ? 'not in a quick run' : `${fmt(value, 2)}x`);
  const others =
    figures.textBatchEntriesPerSecond === undefined
      ? ''
      : `; text ${fmt(figures.textBatchEntriesPerSecond)}, single appends ${fmt(figures.singleAppendsPerSecond)} requests/s`;
  return [
    note(
      'Redis: JSON batch ingest through one replica, entries/s',
      fmt(figures.jsonBatchEntriesPerSecond),
      `${fmt(figures.batchRatioToBare, 2)}x the bare pipelined script (${fmt(figures.bareBatchEntriesPerSecond)})${others}`,
      '>= 0.6x bare script',
    ),
    note(
      'Redis: two replicas vs one, JSON batches',
      ratio(figures.twoReplicasRatioToOne),
      `both replicas share core 0 here; with one replica Redis used ${fmt(figures.redisCorePercent, 0)} % ` +
        `of a core while the replica used ${fmt(figures.replicaCorePercent, 0)} %: one Redis core feeds ` +
        `~${fmt(figures.replicasPerRedisCore, 1)} such replicas`,
      '>= 1.5x',
    ),
    note(
      'Redis: append on A -> log on B, p50/p99 ms',
      ms(figures.crossReplicaLogEventP50Ms, figures.crossReplicaLogEventP99Ms),
      `${figures.crossReplicaSamples} samples while A ingests ${fmt(figures.crossReplicaBackgroundEntriesPerSecond)} entries/s`,
      'p99 <= 50 ms',
    ),
    note(
      'Redis: cursor tail read (100 of 10,000) unloaded, p50/p99 ms',
      ms(figures.tailReadP50Ms, figures.tailReadP99Ms),
      `one kept-alive connection from core 1, ${SIZE.readSamples} reads after a ${SIZE.readSettleMs / 1000} s pause and ${TAIL_READ_WARMUP} reads not counted`,
      'p99 <= 10 ms',
    ),
    note(
      'Redis: used_memory per held entry (100-byte message), bytes',
      fmt(figures.redisBytesPerHeldEntry, 1),
      memoryStoreBytes === undefined ? '' : `memory store: ${fmt(memoryStoreBytes, 1)} bytes of RSS`,
      '<= 200',
    ),
    note(
      `Redis: GET /sessions with ${fmt(figures.listedSessions)} sessions on the other replica, p50/p99 ms`,
      ms(figures.listSessionsP50Ms, figures.listSessionsP99Ms),
      '',
      '',
    ),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  if (!existsSync(join(REPO, 'dist/apps/api/main.js'))) {
    execFileSync('npx', ['nx', 'build', 'api'], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    });
  }
  const figures = await redisWorkloads({ quick });
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(join(BENCH, 'results', `redis-${quick ? 'quick' : 'full'}.json`), JSON.stringify(figures, null, 2));
  console.log(JSON.stringify(figures, null, 2));
}
