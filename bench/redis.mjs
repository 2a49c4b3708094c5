#!/usr/bin/env node
// The Redis store's benchmark (issue 12): `node bench/redis.mjs` (about a minute) or
// `node bench/redis.mjs --quick` (seconds). Needs Debian's redis-server and the built API.
// Figures, each beside its baseline from the same run:
// - ingest through one replica (JSON batches of 100, text batches of 100, single appends)
//   against a bare script writing the same entries straight to the same Redis with the
//   same client, pipelined, in the store's layout (XADD <seq>-1 t l m + the counters);
// - two replicas ingesting into the same Redis against one;
// - append on replica A → `log` event on a WebSocket client of replica B (p50/p99);
// - cursor tail read (100 newest of 10,000), p99, unloaded;
// - Redis memory per held entry (100-byte message), from INFO memory.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import WebSocket from 'ws';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = join(BENCH, '..');
const QUICK = process.argv.includes('--quick');
const SECONDS = QUICK ? 1 : 5;
const SESSIONS = QUICK ? 4 : 32;
const pinned = existsSync('/usr/bin/taskset')
  ? (cores, args) => ['taskset', ['-c', cores, ...args]]
  : (_cores, args) => [args[0], args.slice(1)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const oid = (i) => i.toString(16).padStart(24, '0');
const message = (i) => `bench entry ${String(i).padStart(8, '0')} ` + 'x'.repeat(78); // 100 bytes
const jsonBatch = (n) =>
  JSON.stringify({ entries: Array.from({ length: n }, (_, i) => ({ level: 'info', message: message(i) })) });
const textBatch = (n) => Array.from({ length: n }, (_, i) => message(i)).join('\n');
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'zen-bench-redis-'));
  const port = await freePort();
  const [command, args] = pinned('1', [
    'redis-server',
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk).includes('Ready to accept') && resolve());
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => (child.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })),
  };
}

async function startServer(env, core) {
  const port = await freePort();
  const [command, args] = pinned(core, ['node', join(REPO, 'dist/apps/api/main.js')]);
  const child = spawn(command, args, {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not yet listening
    }
    await sleep(50);
  }
  return { url, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

/** One autocannon run (bench/load.mjs) on the given cores. */
function load(spec, cores = '1') {
  mkdirSync(join(BENCH, '.build'), { recursive: true });
  const file = join(BENCH, '.build', `redis-load-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const [command, args] = pinned(cores, ['node', join(BENCH, 'load.mjs'), file]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => {
      rmSync(file, { force: true });
      if (code !== 0) return reject(new Error(`load exited ${code}`));
      const result = JSON.parse(out.trim().split('\n').pop());
      result.valid = result.non2xx === 0 && result.errors === 0 && result.requests > 0;
      resolve(result);
    });
  });
}

async function post(url, body, type = 'application/json') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
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
  for (let i = 0; i < SESSIONS; i++) bodies.push({ path: `/sessions/${oid(offset + i + 1)}/log`, body });
  const type = kind === 'text' ? 'text/plain' : 'application/json';
  const results = await Promise.all(
    servers.map((server) =>
      load({
        url: server.url,
        method: 'POST',
        headers: { 'content-type': type },
        bodies,
        connections: 16,
        duration: SECONDS,
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
  const cursors = new Array(SESSIONS).fill(0);
  const deadline = Date.now() + SECONDS * 1000;
  let entries = 0;
  const now = String(Date.now());
  // 16 writers like autocannon's 16 connections, each one batch at a time.
  await Promise.all(
    Array.from({ length: 16 }, async (_, writer) => {
      for (let round = 0; Date.now() < deadline; round++) {
        const session = (writer + round * 16) % SESSIONS;
        const key = `${prefix}{${oid(session)}}`;
        const start = cursors[session];
        cursors[session] += perRequest;
        const commands = [];
        for (let i = 0; i < perRequest; i++) {
          commands.push(client.xAdd(`${key}:log`, `${start + i}-1`, { t: now, l: '1', m: message(i) }));
        }
        commands.push(
          client.hSet(`${key}:session`, { cursor: start + perRequest, held: start + perRequest, updated: now }),
        );
        await Promise.all(commands);
        entries += perRequest;
      }
    }),
  );
  client.destroy();
  return entries / SECONDS;
}

/** Append on A, time until B's WebSocket client gets the `log` event. */
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
  const latencies = [];
  for (let i = 0; i < samples; i++) {
    const seen = new Promise((resolve) => (waiting = resolve));
    await post(`${a.url}/sessions/${id}/log`, JSON.stringify({ message: message(i) }));
    const answered = performance.now();
    await seen;
    latencies.push(performance.now() - answered);
    waiting = null;
  }
  ws.close();
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function tailRead(server, id, samples) {
  const latencies = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const res = await fetch(`${server.url}/sessions/${id}/log?cursor=9900`);
    const body = await res.json();
    if (body.entries.length !== 100) throw new Error(`tail read returned ${body.entries.length} entries`);
    latencies.push(performance.now() - start);
  }
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function memoryPerEntry(url, server, offset) {
  const client = await createClient({ url }).connect();
  const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))[1]);
  const sessions = QUICK ? 2 : 10;
  const before = await used();
  await createSessions(server, offset, sessions);
  for (let s = 0; s < sessions; s++) {
    for (let i = 0; i < 10_000; i += 1000)
      await post(`${server.url}/sessions/${oid(offset + s + 1)}/log`, jsonBatch(1000));
  }
  const after = await used();
  client.destroy();
  return (after - before) / (sessions * 10_000);
}

const step = (name) => process.stderr.write(`redis bench: ${name}\n`);

async function main() {
  if (!existsSync(join(REPO, 'dist/apps/api/main.js'))) {
    execFileSync('npx', ['nx', 'build', 'api'], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    });
  }
  const redis = await startRedis();
  const env = { LOG_STORE: 'redis', REDIS_URL: redis.url, LOG_CAPACITY: '10000' };
  const figures = {};
  const a = await startServer(env, '0');
  try {
    await createSessions(a, 0, SESSIONS);
    step('bare ingest');
    figures.bareBatchEntriesPerSecond = await bareIngest(redis.url, 100);
    step('ingest through one replica');
    figures.jsonBatchEntriesPerSecond = await ingest([a], 0, 'json', 100);
    figures.textBatchEntriesPerSecond = await ingest([a], 0, 'text', 100);
    figures.singleAppendsPerSecond = await ingest([a], 0, 'json', 1);
    figures.batchRatioToBare = figures.jsonBatchEntriesPerSecond / figures.bareBatchEntriesPerSecond;

    const b = await startServer(env, '0');
    try {
      step('two replicas');
      figures.twoReplicasJsonBatchEntriesPerSecond = await ingest([a, b], 0, 'json', 100);
      figures.twoReplicasRatioToOne = figures.twoReplicasJsonBatchEntriesPerSecond / figures.jsonBatchEntriesPerSecond;
      step('cross-replica latency');
      const latency = await crossReplicaLatency(a, b, oid(1), QUICK ? 50 : 500);
      figures.crossReplicaLogEventP50Ms = latency.p50;
      figures.crossReplicaLogEventP99Ms = latency.p99;
    } finally {
      await b.stop();
    }
    step('tail read');
    const tail = oid(100_000);
    await createSessions(a, 99_999, 1);
    for (let i = 0; i < 10; i++) await post(`${a.url}/sessions/${tail}/log`, jsonBatch(1000));
    const read = await tailRead(a, tail, QUICK ? 50 : 500);
    figures.tailReadP50Ms = read.p50;
    figures.tailReadP99Ms = read.p99;
    step('memory');
    figures.redisBytesPerHeldEntry = await memoryPerEntry(redis.url, a, 200_000);
  } finally {
    await a.stop();
    redis.stop();
  }
  const rounded = Object.fromEntries(
    Object.entries(figures).map(([key, value]) => [key, Math.round(value * 100) / 100]),
  );
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(join(BENCH, 'results', `redis-${QUICK ? 'quick' : 'full'}.json`), JSON.stringify(rounded, null, 2));
  console.log(JSON.stringify(rounded, null, 2));
}

await main();
