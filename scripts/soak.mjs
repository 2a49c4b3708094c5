#!/usr/bin/env node
// Soak: a realistic mix against the built server for SOAK_MINUTES (default 10), loopback
// only, bounded in time. 1,000 sessions, steady appends past capacity, cursor readers,
// dashboards on the WebSocket. Samples RSS and heap every 10 s and checks that memory
// flattens once every log is at capacity. Results: scripts/results/soak-latest.json.
// With LOG_STORE=redis (and REDIS_URL), Redis's used_memory is sampled and checked too.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import WebSocket from 'ws';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SESSIONS = 1000;
const CAPACITY = 2000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const oid = (i) => i.toString(16).padStart(24, '0');
const line = (i) => `soak ${String(i).padStart(10, '0')} ${'s'.repeat(84)}`;

// SOAK_PORT, or a free port picked below the kernel's ephemeral range (as libs/testing's
// freePort does): a port of that range could be taken by one of the soak's own outgoing
// connections between the check and the server's bind.
const listenable = (candidate) =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
const pickPort = async () => {
  if (process.env.SOAK_PORT) return Number(process.env.SOAK_PORT);
  const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const high = Number.isInteger(first) && first - 20_000 >= 1_000 ? first : 32_768;
  for (let tries = 0; tries < 50; tries++) {
    const candidate = 20_000 + Math.floor(Math.random() * (high - 20_000));
    if (candidate !== 28_558 && (await listenable(candidate))) return candidate;
  }
  throw new Error(`no free port found in 20000-${high - 1}`);
};
const port = await pickPort();
const url = `http://127.0.0.1:${port}`;
// The server's output goes to scripts/results/soak-server.log: if it stops before the end, the
// soak says how (its exit code or signal) and the log says why.
mkdirSync(join(REPO, 'scripts', 'results'), { recursive: true });
const serverLog = openSync(join(REPO, 'scripts', 'results', 'soak-server.log'), 'w');
const server = spawn('taskset', ['-c', '0', process.execPath, 'dist/apps/api/main.js'], {
  cwd: REPO,
  env: { ...process.env, PORT: String(port), LOG_CAPACITY: String(CAPACITY), MAX_SESSIONS: '5000' },
  stdio: ['ignore', serverLog, serverLog],
});
let stopping = false;
server.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(
    `the server stopped during the soak (exit code ${code}, signal ${signal}); its output: scripts/results/soak-server.log`,
  );
  process.exit(1);
});
// However this script ends (a thrown error included), the server does not outlive it.
process.on('exit', () => server.kill('SIGKILL'));
for (;;) {
  try {
    if ((await fetch(`${url}/health`)).ok) break;
  } catch {
    await sleep(100);
  }
}

const counts = { appends: 0, entries: 0, reads: 0, logEvents: 0, pushes: 0, failures: 0 };
// A request that fails (an error status, or no answer at all) is counted, and the soak goes on.
const counted = async (request) => {
  try {
    const res = await request();
    if (!res.ok) counts.failures++;
    await res.arrayBuffer();
  } catch {
    counts.failures++;
  }
};
const post = (path, body, type = 'application/json') =>
  counted(() => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body }));
for (let i = 0; i < SESSIONS; i += 50) {
  await Promise.all(
    Array.from({ length: 50 }, (_, j) =>
      post(`/sessions/${oid(i + j + 1)}`, JSON.stringify({ appname: 'soak', metadata: { n: i + j } })),
    ),
  );
}

// Dashboards: 5 clients, each following 20 sessions and receiving the listing every second.
const dashboards = Array.from({ length: 5 }, (_, d) => {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/sessions/ws`);
  ws.on('open', () => {
    for (let s = 0; s < 20; s++) ws.send(JSON.stringify({ event: 'subscribe-log', data: { id: oid(d * 20 + s + 1) } }));
  });
  ws.on('message', (data) => (data.toString().startsWith('{"event":"log"') ? counts.logEvents++ : counts.pushes++));
  return ws;
});

const deadline = Date.now() + MINUTES * 60_000;
let next = 0;
const appender = async () => {
  while (Date.now() < deadline) {
    const session = oid((next % SESSIONS) + 1);
    const text = Array.from({ length: 100 }, (_, i) => line(next * 100 + i)).join('\n');
    next++;
    await post(`/sessions/${session}/log`, text, 'text/plain');
    counts.appends++;
    counts.entries += 100;
    await sleep(5);
  }
};
const reader = async () => {
  while (Date.now() < deadline) {
    await counted(() =>
      fetch(`${url}/sessions/${oid(1 + Math.floor(Math.random() * SESSIONS))}/log?cursor=0&limit=100`),
    );
    counts.reads++;
    await sleep(20);
  }
};

const samples = [];
// On the Redis store the logs live in Redis: its memory must flatten too.
const redis = process.env.LOG_STORE === 'redis' ? await createClient({ url: process.env.REDIS_URL }).connect() : null;
const redisUsed = async () =>
  redis ? Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? NaN) : undefined;
const status = (pid) =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Vm'))
      .map((l) => [l.split(':')[0], Number(l.split(/\s+/)[1]) * 1024]),
  );
const sampler = async () => {
  const started = Date.now();
  while (Date.now() < deadline) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN);
    const sample = {
      seconds: Math.round((Date.now() - started) / 1000),
      rss: status(server.pid).VmRSS,
      heapUsed: heap,
      redisUsed: await redisUsed(),
      entries: counts.entries,
    };
    samples.push(sample);
    const inRedis = redis ? `  redis ${(sample.redisUsed / 2 ** 20).toFixed(0)} MiB` : '';
    console.log(
      `${String(sample.seconds).padStart(5)} s  rss ${(sample.rss / 2 ** 20).toFixed(0)} MiB  heap ${(heap / 2 ** 20).toFixed(0)} MiB${inRedis}  entries appended ${sample.entries}`,
    );
    await sleep(10_000);
  }
};

await Promise.all([...Array.from({ length: 4 }, appender), ...Array.from({ length: 4 }, reader), sampler()]);
dashboards.forEach((ws) => ws.close());
stopping = true;
server.kill('SIGTERM');
await redis?.quit();

// Every log is at capacity once SESSIONS * CAPACITY entries went in; compare memory after that.
const full = samples.filter((s) => s.entries >= SESSIONS * CAPACITY * 1.2);
const half = full.slice(Math.floor(full.length / 2));
const first = full.slice(0, Math.max(1, Math.floor(full.length / 2)));
const peak = (list, key) => (list.length ? Math.max(...list.map((s) => s[key])) : null);
const floor = (list, key) => (list.length ? Math.min(...list.map((s) => s[key])) : null);
const result = {
  date: new Date().toISOString(),
  logStore: redis ? 'redis' : 'memory',
  minutes: MINUTES,
  sessions: SESSIONS,
  capacity: CAPACITY,
  counts,
  samples,
  rssWhenFull: full.length ? full[0].rss : null,
  rssMaxFirstHalfWhenFull: full.length ? peak(first, 'rss') : null,
  rssMaxSecondHalfWhenFull: peak(half, 'rss'),
  rssMinFirstHalfWhenFull: full.length ? floor(first, 'rss') : null,
  rssMinSecondHalfWhenFull: floor(half, 'rss'),
  redisMaxFirstHalfWhenFull: redis && full.length ? peak(first, 'redisUsed') : null,
  redisMaxSecondHalfWhenFull: redis ? peak(half, 'redisUsed') : null,
};
const within = (later, earlier) => later !== null && earlier !== null && later <= earlier * 1.1;
// Whoever holds the logs must not grow once they are full: the server's peaks on the memory
// store; on Redis, Redis's peaks, and the server's floor (it holds no logs: its RSS is mostly the
// heap's swing between collections, tens of MiB, while what a leak raises is what survives them).
result.flat = redis
  ? within(result.redisMaxSecondHalfWhenFull, result.redisMaxFirstHalfWhenFull) &&
    within(result.rssMinSecondHalfWhenFull, result.rssMinFirstHalfWhenFull)
  : within(result.rssMaxSecondHalfWhenFull, result.rssMaxFirstHalfWhenFull);
mkdirSync(join(REPO, 'scripts', 'results'), { recursive: true });
writeFileSync(join(REPO, 'scripts', 'results', 'soak-latest.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify({ ...result, samples: undefined }, null, 2));
process.exit(result.flat && counts.failures === 0 ? 0 : 1);
