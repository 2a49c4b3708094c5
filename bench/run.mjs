#!/usr/bin/env node
// The benchmark: `npm run bench` (about 5 minutes) or `npm run bench -- --quick` (seconds,
// as the test suite runs it). Loopback only; the server under test is pinned to core 0,
// load generators to core 1. Throughput is reported as a ratio to a bare node:http server
// serving the same routes on the same store (bench/bare-server.ts), measured in the same run.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';
import { clientWorkloads } from './client.mjs';
import { dashboardWorkloads } from './dashboard.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = join(BENCH, '..');
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const SECONDS = QUICK ? 1 : 8;
const SCALE = QUICK
  ? { sessions: 8, fillSessions: 10, listSessions: 500, listClients: 10, fanoutClients: 10, listSeconds: 2 }
  : { sessions: 64, fillSessions: 200, listSessions: 10_000, listClients: 100, fanoutClients: 100, listSeconds: 10 };
/** The sessions feed: dashboards watching many sessions while 1 % of them change per second. */
const FEED = QUICK
  ? { sessions: 500, dashboards: 10, seconds: 2, warmupMs: 500 }
  : { sessions: 10_000, dashboards: 100, seconds: 10, warmupMs: 2000 };
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const pinned = existsSync('/usr/bin/taskset')
  ? (core, args) => ['taskset', ['-c', String(core), ...args]]
  : (_core, args) => [args[0], args.slice(1)];

const oid = (i) => i.toString(16).padStart(24, '0');
const message = (i) => `bench entry ${String(i).padStart(8, '0')} ` + 'x'.repeat(78); // 100 bytes
const jsonBatch = (n) =>
  JSON.stringify({ entries: Array.from({ length: n }, (_, i) => ({ level: 'info', message: message(i) })) });
const textBatch = (n) => Array.from({ length: n }, (_, i) => message(i)).join('\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Builds what the bench runs: the API (if not built) and the bare baseline. */
async function build() {
  if (
    !existsSync(join(REPO, 'dist/apps/api/main.js')) ||
    !existsSync(join(REPO, 'dist/apps/dashboard/browser/index.html'))
  ) {
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api,dashboard'], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    });
  }
  await esbuild.build({
    entryPoints: [join(BENCH, 'bare-server.ts')],
    outfile: join(BENCH, '.build/bare-server.js'),
    bundle: true,
    platform: 'node',
    tsconfig: join(REPO, 'tsconfig.base.json'),
    external: ['@nestjs/*', 'class-validator', 'class-transformer'],
    logLevel: 'warning',
  });
  // The client side: the CLI as shipped, and the session logger bundled like any Node tool using it.
  execFileSync('node', [join(REPO, 'apps/cli/build.mjs')], { cwd: REPO, stdio: 'inherit' });
  await esbuild.build({
    entryPoints: [join(BENCH, 'client-logger.ts')],
    outfile: join(BENCH, '.build/client-logger.js'),
    bundle: true,
    platform: 'node',
    tsconfig: join(REPO, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
}

/** Starts `bare` or `api` on core 0 and waits until it answers. */
async function startServer(kind, env = {}) {
  const port = await freePort();
  const file = kind === 'bare' ? join(BENCH, '.build/bare-server.js') : join(REPO, 'dist/apps/api/main.js');
  const [command, args] = pinned(0, ['node', file]);
  const child = spawn(command, args, {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(kind === 'bare' ? `${url}/sessions/${oid(0)}/log` : `${url}/health`);
      break;
    } catch {
      await sleep(50);
    }
  }
  return {
    url,
    // taskset execs node in place, so the child's pid is the server's.
    pid: child.pid,
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

/** One autocannon run on core 1. */
function load(spec) {
  const file = join(BENCH, '.build', 'load-spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const [command, args] = pinned(1, ['node', join(BENCH, 'load.mjs'), file]);
  const out = execFileSync(command, args, { cwd: REPO, maxBuffer: 1 << 26 }).toString();
  const result = JSON.parse(out.trim().split('\n').pop());
  result.valid = result.non2xx === 0 && result.errors === 0 && result.requests > 0;
  return result;
}

/** The subscribers process on core 1; `onReady` runs when it prints `ready` (the feed workload does). */
function subscribers(spec, onReady = undefined) {
  const [command, args] = pinned(1, ['node', join(BENCH, 'subscribers.mjs'), JSON.stringify(spec)]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (onReady && /^ready$/m.test(out)) {
        onReady();
        onReady = undefined;
      }
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`subscribers exited ${code}`)),
    );
  });
}

async function post(url, body, type = 'application/json') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

async function createSessions(server, count, offset = 0) {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        post(`${server.url}/sessions/${oid(offset + i + j + 1)}`, '{"appname":"bench"}'),
      ),
    );
  }
}

function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

// ---- workloads ---------------------------------------------------------------------

/** Ingest and read throughput on one server kind. */
async function throughput(kind) {
  const server = await startServer(kind);
  await createSessions(server, SCALE.sessions);
  const ids = Array.from({ length: SCALE.sessions }, (_, i) => oid(i + 1));
  const logPath = (id) => `/sessions/${id}/log`;
  const run = (method, type, bodies, connections = 32, duration = SECONDS) =>
    load({ url: server.url, method, headers: type ? { 'content-type': type } : {}, bodies, connections, duration });
  const json = jsonBatch(100);
  const text = textBatch(100);
  const single = JSON.stringify({ level: 'info', message: message(1) });
  const out = {};
  out.jsonBatch = run(
    'POST',
    'application/json',
    ids.map((id) => ({ path: logPath(id), body: json })),
  );
  out.jsonBatch.entriesPerSecond = out.jsonBatch.requestsPerSecond * 100;
  out.textBatch = run(
    'POST',
    'text/plain',
    ids.map((id) => ({ path: logPath(id), body: text })),
  );
  out.textBatch.entriesPerSecond = out.textBatch.requestsPerSecond * 100;
  out.single = run(
    'POST',
    'application/json',
    ids.map((id) => ({ path: logPath(id), body: single })),
  );
  await server.stop();

  // Tail reads: 200 sessions holding 10,000 entries each; read the 100 newest.
  const reads = await startServer(kind);
  await createSessions(reads, SCALE.fillSessions, 1000);
  const fill = jsonBatch(1000);
  const readIds = Array.from({ length: SCALE.fillSessions }, (_, i) => oid(1000 + i + 1));
  for (const id of readIds) for (let b = 0; b < 10; b++) await post(`${reads.url}/sessions/${id}/log`, fill);
  const tail = readIds.map((id) => ({ path: `/sessions/${id}/log?cursor=9900` }));
  out.tailUnloaded = load({
    url: reads.url,
    method: 'GET',
    headers: {},
    bodies: tail,
    connections: 1,
    duration: Math.max(1, SECONDS / 2),
  });
  out.tailLoaded = load({
    url: reads.url,
    method: 'GET',
    headers: {},
    bodies: tail,
    connections: 32,
    duration: SECONDS,
  });
  await reads.stop();
  return out;
}

/** RSS per held entry after filling sessions to 10,000 entries of 100-byte messages. */
async function memory(kind) {
  const server = await startServer(kind, { LOG_CAPACITY: '10000' });
  await createSessions(server, SCALE.fillSessions, 5000);
  await sleep(1000);
  const before = rssBytes(server.pid);
  const fill = jsonBatch(1000);
  for (let i = 0; i < SCALE.fillSessions; i++) {
    for (let b = 0; b < 10; b++) await post(`${server.url}/sessions/${oid(5000 + i + 1)}/log`, fill);
  }
  await sleep(2000);
  const after = rssBytes(server.pid);
  await server.stop();
  const entries = SCALE.fillSessions * 10_000;
  return {
    entries,
    rssBefore: before,
    rssAfter: after,
    bytesPerEntry: (after - before) / entries,
    valid: after > before,
  };
}

/** Append-to-receipt latency for subscribers of one session while others ingest ~50k entries/s. */
async function fanout() {
  const server = await startServer('api');
  await createSessions(server, SCALE.sessions + 1);
  const watched = oid(SCALE.sessions + 1);
  const ids = Array.from({ length: SCALE.sessions }, (_, i) => oid(i + 1));
  const durationMs = SECONDS * 1000;
  // Latency is measured in steady state: probes start after a warm-up (JIT, buffers), and
  // the ingest lasts a second longer than warm-up and measurement, to cover the clients' start.
  const warmupMs = QUICK ? 300 : 1000;
  const json = jsonBatch(100);
  const [ingest, probes] = await Promise.all([
    new Promise((resolve) =>
      setTimeout(
        () =>
          resolve(
            load({
              url: server.url,
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              bodies: ids.map((id) => ({ path: `/sessions/${id}/log`, body: json })),
              connections: 16,
              duration: Math.ceil((durationMs + warmupMs) / 1000) + 1,
              rate: 500,
            }),
          ),
        200,
      ),
    ),
    subscribers({
      mode: 'fanout',
      clients: SCALE.fanoutClients,
      wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
      sessionId: watched,
      cursor: 0,
      appendUrl: `${server.url}/sessions/${watched}/log`,
      probeEveryMs: 20,
      durationMs,
      warmupMs,
    }),
  ]);
  await server.stop();
  return {
    ingestEntriesPerSecond: ingest.requestsPerSecond * 100,
    ...probes,
    valid: ingest.valid && probes.receipts === probes.expected && probes.receipts > 0,
  };
}

/** CPU the periodic sessions push costs with many sessions and clients (nothing else running). */
async function listPush() {
  const server = await startServer('api', { MAX_SESSIONS: '100000', SESSIONS_WS_INTERVAL_MS: '1000' });
  await createSessions(server, SCALE.listSessions, 100_000);
  const durationMs = SCALE.listSeconds * 1000;
  const counting = subscribers({
    mode: 'list',
    clients: SCALE.listClients,
    wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
    durationMs: durationMs + 1500,
  });
  await sleep(1500); // connections made, first pushes delivered
  const cpuBefore = cpuSeconds(server.pid);
  await sleep(durationMs);
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const counted = await counting;
  await server.stop();
  const ticks = SCALE.listSeconds;
  return {
    sessions: SCALE.listSessions + 1,
    clients: SCALE.listClients,
    bytesPerTickPerClient: counted.frames ? counted.bytes / counted.frames : 0,
    cpuPercentOfCore: (100 * cpu) / SCALE.listSeconds,
    cpuMsPerTick: (1000 * cpu) / ticks,
    valid: counted.frames > 0,
  };
}

/**
 * CPU the server spends on the sessions feed: FEED.sessions sessions, 1 % of them changing
 * (an append) per second, measured with no dashboards (the changes alone), then with
 * FEED.dashboards in delta mode, then in full mode. The server's CPU (user + system, what
 * process.cpuUsage reports, read from /proc) over the measuring window; the feed's share is
 * a mode's figure minus the changes-alone one.
 */
async function sessionsFeed() {
  const server = await startServer('api', { MAX_SESSIONS: '100000' });
  const firstSession = 200_001;
  await createSessions(server, FEED.sessions, firstSession - 1);
  const phase = async (feedMode, clients) => {
    let ready;
    const started = new Promise((resolve) => (ready = resolve));
    const durationMs = FEED.seconds * 1000;
    const counting = subscribers(
      {
        mode: 'feed',
        feedMode,
        clients,
        wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
        url: server.url,
        firstSession,
        sessionCount: FEED.sessions,
        changesPerSecond: FEED.sessions / 100,
        warmupMs: FEED.warmupMs,
        durationMs,
      },
      ready,
    );
    await started;
    const cpuBefore = cpuSeconds(server.pid);
    await sleep(durationMs);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const counted = await counting;
    return { ...counted, cpuPercentOfCore: (100 * cpu) / FEED.seconds };
  };
  const changesAlone = await phase('none', 0);
  const delta = await phase('delta', FEED.dashboards);
  const full = await phase('full', FEED.dashboards);
  await server.stop();
  const expectedChanges = (FEED.seconds * FEED.sessions) / 100;
  const steady = (run) => run.changeErrors === 0 && run.changes >= expectedChanges * 0.8;
  return {
    sessions: FEED.sessions + 1,
    dashboards: FEED.dashboards,
    changesPerSecond: FEED.sessions / 100,
    changesAlone,
    delta,
    full,
    deltaCpuPercentOfCore: Math.max(0, delta.cpuPercentOfCore - changesAlone.cpuPercentOfCore),
    fullCpuPercentOfCore: Math.max(0, full.cpuPercentOfCore - changesAlone.cpuPercentOfCore),
    // Below 1 a second, the dashboards could not take the full lists and were skipped (see the README).
    fullListingsPerSecond: full.listings / FEED.dashboards / FEED.seconds,
    // Delta dashboards got deltas and no periodic lists; full ones got the periodic lists.
    valid: [changesAlone, delta, full].every(steady) && delta.deltas > 0 && delta.listings === 0 && full.listings > 0,
  };
}

/** The dashboard in Chromium against the built server (pinned like the others). */
async function dashboard() {
  const server = await startServer('api');
  try {
    return await dashboardWorkloads(server, { entries: QUICK ? 2000 : 10_000, followSeconds: QUICK ? 2 : 10 });
  } finally {
    await server.stop();
  }
}

// ---- report ------------------------------------------------------------------------

const fmt = (n, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : String(n);

async function main() {
  const started = Date.now();
  await build();
  const bare = await throughput('bare');
  const api = await throughput('api');
  const memoryApi = await memory('api');
  const memoryBare = await memory('bare');
  const live = await fanout();
  const push = await listPush();
  const feed = await sessionsFeed();
  const ui = await dashboard();
  const client = await clientWorkloads({ startServer, repo: REPO, bench: BENCH, quick: QUICK });
  const ratio = (a, b) => a / b;
  const rows = [
    [
      'JSON batch ingest, entries/s',
      fmt(api.jsonBatch.entriesPerSecond),
      fmt(bare.jsonBatch.entriesPerSecond),
      fmt(ratio(api.jsonBatch.entriesPerSecond, bare.jsonBatch.entriesPerSecond), 2) + 'x',
      '>= 0.7x',
    ],
    [
      'text ingest, entries/s',
      fmt(api.textBatch.entriesPerSecond),
      fmt(bare.textBatch.entriesPerSecond),
      fmt(ratio(api.textBatch.entriesPerSecond, bare.textBatch.entriesPerSecond), 2) + 'x',
      '>= 0.7x',
    ],
    [
      'single-entry appends, requests/s',
      fmt(api.single.requestsPerSecond),
      fmt(bare.single.requestsPerSecond),
      fmt(ratio(api.single.requestsPerSecond, bare.single.requestsPerSecond), 2) + 'x',
      '>= 0.3x',
    ],
    [
      'cursor tail read, requests/s',
      fmt(api.tailLoaded.requestsPerSecond),
      fmt(bare.tailLoaded.requestsPerSecond),
      fmt(ratio(api.tailLoaded.requestsPerSecond, bare.tailLoaded.requestsPerSecond), 2) + 'x',
      '>= 0.5x',
    ],
    [
      'cursor tail read p50/p99 loaded, ms',
      `${api.tailLoaded.latencyP50}/${api.tailLoaded.latencyP99}`,
      `${bare.tailLoaded.latencyP50}/${bare.tailLoaded.latencyP99}`,
      '',
      '',
    ],
    [
      'cursor tail read p50/p99 unloaded, ms',
      `${api.tailUnloaded.latencyP50}/${api.tailUnloaded.latencyP99}`,
      `${bare.tailUnloaded.latencyP50}/${bare.tailUnloaded.latencyP99}`,
      '',
      'p99 <= 5 ms',
    ],
    [
      'RSS per held entry (100-byte message), bytes',
      fmt(memoryApi.bytesPerEntry, 1),
      fmt(memoryBare.bytesPerEntry, 1),
      '',
      '<= 150',
    ],
    [
      `append -> WebSocket, ${live.expected / (live.probes || 1)} subscribers, p50/p99 ms`,
      `${fmt(live.p50, 1)}/${fmt(live.p99, 1)}`,
      '',
      `while ingesting ${fmt(live.ingestEntriesPerSecond)} entries/s`,
      'p99 <= 20 ms',
    ],
    [
      `sessions push, ${push.sessions} sessions x ${push.clients} clients`,
      `${fmt(push.cpuPercentOfCore, 1)} % of a core`,
      '',
      `${fmt(push.cpuMsPerTick, 1)} ms CPU per tick, ${fmt(push.bytesPerTickPerClient / 1024)} KiB per client`,
      '<= 10 %',
    ],
    [
      `sessions feed, ${feed.sessions} sessions x ${feed.dashboards} dashboards, delta mode`,
      `${fmt(feed.deltaCpuPercentOfCore, 2)} % of a core`,
      '',
      `${fmt(feed.changesPerSecond)} changes/s; full mode ${fmt(feed.fullCpuPercentOfCore, 1)} % (${fmt(feed.fullListingsPerSecond, 1)} lists/s each); changes alone ${fmt(feed.changesAlone.cpuPercentOfCore, 1)} %`,
      '<= 1 %',
    ],
    [
      `dashboard: filter keystroke, ${ui.entries} entries, median/max ms`,
      `${fmt(ui.keystrokeMedianMs, 1)}/${fmt(ui.keystrokeMaxMs, 1)}`,
      '',
      'input to painted frame, Chromium',
      '<= 50 ms',
    ],
    [
      `dashboard: follow at ${fmt(ui.followEntriesPerSecond)} entries/s`,
      `lag ${fmt(ui.followLagFirstHalf)} -> ${fmt(ui.followLagSecondHalf)} entries`,
      '',
      `caught up ${fmt(ui.followCatchUpMs)} ms after the stream stopped`,
      'no growing lag',
    ],
    [
      `zen-sessions run --quiet, ${fmt(client.run.lines)} lines of 100 bytes, s`,
      `${fmt(client.run.wrappedSeconds, 2)} vs bare ${fmt(client.run.bareSeconds, 2)}`,
      '',
      `${fmt(client.run.ratio, 2)}x the bare run (output to a file); count and last seq checked`,
      '<= 1.3x',
    ],
    [
      'session logger, one process into one session, entries/s',
      fmt(client.logger.entriesPerSecond),
      '',
      `log() p50/p99 ${fmt(client.logger.logP50Us, 2)}/${fmt(client.logger.logP99Us, 2)} us`,
      '>= 200,000; p99 <= 5 us',
    ],
  ];
  const widths = [0, 1, 2, 3, 4].map((c) =>
    Math.max(
      ...[['workload', 'api', 'bare node:http', 'ratio / note', 'target'], ...rows].map((r) => String(r[c]).length),
    ),
  );
  const line = (r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ');
  console.log(line(['workload', 'api', 'bare node:http', 'ratio / note', 'target']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  rows.forEach((r) => console.log(line(r)));
  const checks = { bare, api, memoryApi, memoryBare, live, push, feed, ui, client };
  const invalid = Object.entries({
    ...Object.fromEntries(Object.entries(bare).map(([k, v]) => [`bare.${k}`, v.valid])),
    ...Object.fromEntries(Object.entries(api).map(([k, v]) => [`api.${k}`, v.valid])),
    memoryApi: memoryApi.valid,
    memoryBare: memoryBare.valid,
    live: live.valid,
    push: push.valid,
    feed: feed.valid,
    ui: ui.valid,
    'client.run': client.run.valid,
    'client.logger': client.logger.valid,
  })
    .filter(([, valid]) => !valid)
    .map(([name]) => name);
  const results = {
    date: new Date().toISOString(),
    quick: QUICK,
    seconds: (Date.now() - started) / 1000,
    node: process.version,
    ...checks,
    invalid,
  };
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  writeFileSync(join(BENCH, 'results', QUICK ? 'quick.json' : 'latest.json'), JSON.stringify(results, null, 2));
  console.log(
    `\n${invalid.length ? `INVALID runs (errors or non-2xx answers): ${invalid.join(', ')}` : 'All runs valid.'} (${fmt(results.seconds)} s)`,
  );
  process.exitCode = invalid.length ? 1 : 0;
}

await main();
