#!/usr/bin/env node
// The benchmark: `npm run bench` (about 5 minutes) or `npm run bench -- --quick` (seconds,
// as the test suite runs it). Loopback only; the server under test is pinned to core 0,
// load generators to core 1. Throughput is reported as a ratio to two baselines measured in
// the same run: a bare node:http server serving the same routes on the same store
// (bench/bare-server.ts: what the framework costs) and a naive node:http server keeping
// entries as plain objects (bench/naive-server.ts: what the store's design is worth).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import esbuild from 'esbuild';
import { clientWorkloads } from './client.mjs';
import {
  BENCH,
  REPO,
  WRK,
  cpuSeconds,
  interleavedRounds,
  jsonBatch,
  load,
  loadAsync,
  median,
  message,
  oid,
  pinned,
  post,
  roundRatios,
  sleep,
  startServer as startNode,
  textBatch,
} from './common.mjs';
import { cookLog } from './cook-log.mjs';
import { dashboardWorkloads, mergedDashboardWorkloads } from './dashboard.mjs';
import { redisRows, redisWorkloads } from './redis.mjs';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const SECONDS = QUICK ? 1 : 8;
const SCALE = QUICK
  ? { sessions: 8, fillSessions: 10, listSessions: 500, listClients: 10, fanoutClients: 10, listSeconds: 2 }
  : { sessions: 64, fillSessions: 200, listSessions: 10_000, listClients: 100, fanoutClients: 100, listSeconds: 10 };
/** The sessions feed: dashboards watching many sessions while 1 % of them change per second. */
const FEED = QUICK
  ? { sessions: 500, dashboards: 10, seconds: 2, warmupMs: 500, pairs: 1 }
  : { sessions: 10_000, dashboards: 100, seconds: 8, warmupMs: 2000, pairs: 3 };

/** Which workloads to run: all, or those named in BENCH_ONLY (comma-separated), for spot measurements. */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const wanted = (name) => !ONLY || ONLY.has(name);
const skipped = { valid: true, skipped: true };

/** The built API; BENCH_API names another build (a copy kept to measure while the code changes). */
const API_MAIN = process.env.BENCH_API ? join(REPO, process.env.BENCH_API) : join(REPO, 'dist/apps/api/main.js');

/** Appears in 1 message of each 1,000 of a fill batch (`jsonBatch(1000)`). */
const FILTER_WORD = '00000042';

/** Builds what the bench runs: the API (if not built) and the two baselines. */
async function build() {
  const projects = ['api', 'dashboard'].filter((project) =>
    project === 'api'
      ? !existsSync(join(REPO, 'dist/apps/api/main.js'))
      : wanted('dashboard') && !existsSync(join(REPO, 'dist/apps/dashboard/browser/index.html')),
  );
  if (projects.length > 0) {
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', projects.join(',')], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    });
  }
  await esbuild.build({
    entryPoints: [join(BENCH, 'bare-server.ts'), join(BENCH, 'naive-server.ts')],
    outdir: join(BENCH, '.build'),
    bundle: true,
    platform: 'node',
    tsconfig: join(REPO, 'tsconfig.base.json'),
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

/** Starts `api`, `bare` or `naive` on core 0 and waits until it answers. */
function startServer(kind, env = {}) {
  const file = kind === 'api' ? API_MAIN : join(BENCH, `.build/${kind}-server.js`);
  return startNode(file, { cores: '0', env, readyPath: kind === 'api' ? '/health' : `/sessions/${oid(0)}/log` });
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

/**
 * The subscribers process with `spec`; from when it prints `ready` (its clients connected and
 * warmed up), the server's CPU over spec.durationMs. Answers what the subscribers counted and
 * `cpuSeconds`, `cpuPercentOfCore` of the server over that window.
 */
async function serverCpuWhileSubscribed(pid, spec) {
  let ready;
  const started = new Promise((resolve) => (ready = resolve));
  const counting = subscribers(spec, ready);
  await started;
  const before = cpuSeconds(pid);
  await sleep(spec.durationMs);
  const cpu = cpuSeconds(pid) - before;
  return { ...(await counting), cpuSeconds: cpu, cpuPercentOfCore: (100 * cpu * 1000) / spec.durationMs };
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

// ---- workloads ---------------------------------------------------------------------

/**
 * Ingest rounds: the full run counts 6 rounds of 2 s after a warm-up round (the quick run one
 * round of 1 s, no warm-up). Short interleaved rounds instead of one long run per server: on
 * a shared machine the phases of a long run met different neighbours (docs/performance.md).
 */
const INGEST = QUICK ? { rounds: 1, seconds: 2, warmup: 0 } : { rounds: 6, seconds: 2, warmup: 1 };
const INGEST_WORKLOADS = ['jsonBatch', 'textBatch', 'single'];

/**
 * Ingest on the three servers at once (JSON and text batches of 100, single entries; 64
 * sessions, 32 connections), in interleaved rounds. Each server's figures are the medians
 * over the rounds; `ratios` holds the median and range of the API's per-round ratio to
 * each baseline, which is what the table reports.
 */
async function ingest() {
  const servers = [];
  for (const kind of ['bare', 'naive', 'api']) {
    const server = await startServer(kind);
    await createSessions(server, SCALE.sessions);
    servers.push({ name: kind, ...server });
  }
  const ids = Array.from({ length: SCALE.sessions }, (_, i) => oid(i + 1));
  const at = (body) => ids.map((id) => ({ path: `/sessions/${id}/log`, body }));
  const appends = (type, body) => ({ method: 'POST', headers: { 'content-type': type }, bodies: at(body) });
  const specs = {
    jsonBatch: appends('application/json', jsonBatch(100)),
    textBatch: appends('text/plain', textBatch(100)),
    single: appends('application/json', JSON.stringify({ level: 'info', message: message(1) })),
  };
  const rounds = interleavedRounds({ servers, specs, ...INGEST });
  await Promise.all(servers.map((server) => server.stop()));
  const figures = Object.fromEntries(servers.map(({ name }) => [name, {}]));
  const ratios = {};
  for (const w of INGEST_WORKLOADS) {
    for (const { name } of servers) figures[name][w] = medianRun(rounds[w][name]);
    ratios[w] = apiRatios(rounds[w]);
  }
  for (const { name } of servers) {
    for (const w of ['jsonBatch', 'textBatch'])
      figures[name][w].entriesPerSecond = figures[name][w].requestsPerSecond * 100;
  }
  return { ...figures, ratios, rounds: INGEST.rounds, seconds: INGEST.seconds };
}

/**
 * The API's per-round ratios to each baseline in one workload's rounds (`{ [server]: runs }`):
 * requests/s, and the server's CPU time per request as its inverse, so that above 1 means the
 * API costs less, as for requests/s.
 */
function apiRatios(runs) {
  const perCpu = (run) => 1 / run.cpuUs;
  return {
    bare: roundRatios(runs.api, runs.bare),
    naive: roundRatios(runs.api, runs.naive),
    cpuBare: roundRatios(runs.api, runs.bare, perCpu),
    cpuNaive: roundRatios(runs.api, runs.naive, perCpu),
  };
}

/**
 * One server's rounds of a workload as one result: the medians of its figures, valid if every
 * round was. The latencies too are medians over the rounds: `latencyP99` is the median of the
 * rounds' p99s (each round's own in `p99Rounds`), not a p99 over all their requests.
 */
function medianRun(runs) {
  const of = (figure) => median(runs.map((run) => run[figure]));
  return {
    requestsPerSecond: of('requestsPerSecond'),
    bytesPerSecond: of('bytesPerSecond'),
    latencyP50: of('latencyP50'),
    latencyP99: of('latencyP99'),
    cpuUs: of('cpuUs'),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    valid: runs.every((run) => run.valid),
    rounds: runs.map((run) => run.requestsPerSecond),
    p99Rounds: runs.map((run) => run.latencyP99),
  };
}

/** Seconds of uncounted tail reads on each server after the fill and the first downloads. */
const READS_WARMUP_S = QUICK ? 1 : 5;

/**
 * Read rounds: the full run counts 5 rounds of 1 s after a warm-up round, 7 workloads on 3
 * servers (the quick run one round of 2 s, no warm-up). With each load run's start (~0.4 s)
 * a round takes ~30 s, and the reads phase, fills included, about what it took when each
 * server ran the workloads in turn for 8 s (4 s the unloaded ones): 225 s then, on the same
 * machine, and 278 s with 6 rounds. An odd count also makes each median one round's figure.
 */
// The quick run's 2 s: in a 1 s window on one connection, a CI run beside another on 2 cores
// once completed no request at all (naive `q=`), which counts as an invalid run.
const READS = QUICK ? { rounds: 1, seconds: 2, warmup: 0 } : { rounds: 5, seconds: 1, warmup: 1 };
/** The read workloads whose figure is bytes/s: their ratios are also taken on it. */
const DOWNLOADS = ['ndjsonDownload', 'textDownload'];

/**
 * Every log downloaded once as NDJSON, one after another, before the measured reads: the
 * first read of an entry costs more than the next ones on the memory store (it learns whether
 * the message needs escaping, memory/slot-kinds.ts), so without this pass a workload's figure
 * depended on how much of the data the workloads before it had read. Answers the pass's own
 * rate (`bytesPerSecond`): the first download of a log.
 */
async function firstDownloads(url, ids) {
  const started = performance.now();
  let bytes = 0;
  for (const id of ids) {
    const res = await fetch(`${url}/sessions/${id}/log?cursor=0&format=ndjson`);
    if (!res.ok) throw new Error(`first download of ${id}: ${res.status}`);
    bytes += (await res.arrayBuffer()).byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  return { bytesPerSecond: bytes / seconds, requests: ids.length, non2xx: 0, errors: 0, valid: bytes > 0 };
}

/**
 * Reads on the three servers up at once, in interleaved rounds as ingest (READS): each holds
 * 200 sessions filled to 10,000 entries; every log is downloaded once on each (firstDownloads:
 * a one-off pass, so one server after the other, not in rounds), then tail reads run
 * READS_WARMUP_S on each, uncounted (for several seconds after a fill of this size a server
 * ran at a fraction of its speed: 900 µs of CPU per tail read instead of ~100, in any server),
 * then the read workloads take turns round by round. Each server's figures are the medians
 * over the rounds, its latencies too: a p99 (loaded or unloaded) is the median of the rounds'
 * p99s. `ratios` holds the median and range of the API's per-round ratio to each baseline.
 */
async function reads() {
  const ids = Array.from({ length: SCALE.fillSessions }, (_, i) => oid(1000 + i + 1));
  const fill = jsonBatch(1000);
  const servers = [];
  for (const kind of ['bare', 'naive', 'api']) {
    const server = await startServer(kind);
    await createSessions(server, SCALE.fillSessions, 1000);
    for (const id of ids) for (let b = 0; b < 10; b++) await post(`${server.url}/sessions/${id}/log`, fill);
    servers.push({ name: kind, ...server });
  }
  const figures = Object.fromEntries(servers.map(({ name }) => [name, {}]));
  for (const { name, url } of servers) figures[name].firstDownload = await firstDownloads(url, ids);
  const gets = (query, connections) => ({
    method: 'GET',
    headers: {},
    bodies: ids.map((id) => ({ path: `/sessions/${id}/log?${query}` })),
    connections,
  });
  // Tail reads (the 100 newest); a page in the middle of the held entries; a text search over
  // the whole log (10 matches per 10,000: the scan is the cost); full downloads of a log in the
  // two line formats.
  const specs = {
    tailUnloaded: gets('cursor=9900', 1),
    tailLoaded: gets('cursor=9900', 32),
    offsetMiddle: gets('offset=4950&limit=100', 32),
    filteredLoaded: gets(`cursor=0&q=${FILTER_WORD}`, 32),
    filteredUnloaded: gets(`cursor=0&q=${FILTER_WORD}`, 1),
    ndjsonDownload: gets('cursor=0&format=ndjson', 1),
    textDownload: gets('cursor=0&format=text', 1),
  };
  for (const { url } of servers) load({ ...specs.tailLoaded, url, duration: READS_WARMUP_S }, '1', WRK);
  const rounds = interleavedRounds({ servers, specs, ...READS });
  await Promise.all(servers.map((server) => server.stop()));
  const ratios = {};
  for (const w of Object.keys(specs)) {
    for (const { name } of servers) figures[name][w] = medianRun(rounds[w][name]);
    ratios[w] = apiRatios(rounds[w]);
    if (DOWNLOADS.includes(w)) {
      const bytes = (run) => run.bytesPerSecond;
      ratios[w].bytesBare = roundRatios(rounds[w].api, rounds[w].bare, bytes);
      ratios[w].bytesNaive = roundRatios(rounds[w].api, rounds[w].naive, bytes);
    }
  }
  return { ...figures, ratios, rounds: READS.rounds, seconds: READS.seconds };
}

/**
 * RSS per held entry while sessions fill to 10,000 entries: 100-byte messages, or a realistic
 * Unreal cook log (bench/cook-log.mjs, seeded: every run holds the same lines). The figure is
 * the slope of RSS over entries across the last three quarters of the fill (least squares
 * over RSS read after each quarter): what one more held entry costs. The first quarter also
 * grows what a busy process holds whatever it stores (V8's young generation grows to its
 * working size under load, ~48 MB), which is not per entry; the whole-fill figure, with it,
 * is kept beside (`wholeFillBytesPerEntry`).
 */
async function memory(kind, messages = 'fixed') {
  const server = await startServer(kind, { LOG_CAPACITY: '10000' });
  await createSessions(server, SCALE.fillSessions, 5000);
  await sleep(1000);
  const before = rssBytes(server.pid);
  const fixed = jsonBatch(1000);
  let messageBytes = 0;
  const quarters = [];
  const quarterEnds = new Set([1, 2, 3, 4].map((q) => Math.round((q * SCALE.fillSessions) / 4)));
  for (let i = 0; i < SCALE.fillSessions; i++) {
    const cook = messages === 'cook' ? cookLog(i + 1, 10_000) : null;
    for (let b = 0; b < 10; b++) {
      const entries = cook?.slice(b * 1000, (b + 1) * 1000);
      if (entries) messageBytes += entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.message), 0);
      await post(`${server.url}/sessions/${oid(5000 + i + 1)}/log`, entries ? JSON.stringify({ entries }) : fixed);
    }
    if (quarterEnds.has(i + 1)) {
      await sleep(1000);
      quarters.push({ entries: (i + 1) * 10_000, rss: rssBytes(server.pid) });
    }
  }
  // The last quarter's reading is the filled server's.
  const after = quarters[quarters.length - 1].rss;
  await server.stop();
  const entries = SCALE.fillSessions * 10_000;
  const slope = leastSquaresSlope(quarters.slice(1).map((q) => [q.entries, q.rss]));
  return {
    entries,
    messageBytesPerEntry: messages === 'cook' ? messageBytes / entries : 100,
    rssBefore: before,
    rssAfter: after,
    rssAfterEachQuarter: quarters.map((q) => q.rss),
    bytesPerEntry: slope,
    wholeFillBytesPerEntry: (after - before) / entries,
    valid: after > before && quarters.length === 4 && slope > 0,
  };
}

/** The slope of the line through `points` ([x, y] pairs) that fits them best (least squares). */
function leastSquaresSlope(points) {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}

/**
 * Entries per second one session may append when the isolation workload runs with the limit
 * on. The quick run uses a low one, so that even a slow machine's flood meets it.
 */
const ISOLATION_LIMIT = QUICK ? 1_000 : 20_000;

/** Isolation rounds: as for ingest (INGEST), 6 rounds of 2 s after a warm-up round; the quick run one of 1 s. */
const ISOLATION = QUICK ? { rounds: 1, seconds: 1, warmup: 0 } : { rounds: 6, seconds: 2, warmup: 1 };

/**
 * Noisy neighbours: 32 sessions append single entries (32 connections, as fast as they are
 * answered) alone, then while one client floods one other session with 100-entry batches
 * (8 connections, as fast as it is answered), with the per-session limit off and on. The
 * appenders are loaded by wrk, as the ingest rounds are: under autocannon their p99 carried
 * its own event loop's delays and whole milliseconds (alone 6–10 ms; under wrk ~4). The
 * flooder (bench/flooder.mjs) honours Retry-After as a real client does: on a 429 it waits
 * the seconds the server asked for before sending again on that connection. Two servers are
 * up at once (the limit off, and on) and the three cases run in turn, round after round, so
 * that the machine's drift lands on each alike: the ratios to alone are taken per round.
 */
async function isolation() {
  const others = 32;
  const single = JSON.stringify({ level: 'info', message: message(1) });
  const flood = jsonBatch(100);
  const ids = Array.from({ length: others }, (_, i) => oid(20_000 + i + 1));
  const flooded = oid(20_000 + others + 1);
  const start = async (limit) => {
    const server = await startServer('api', limit ? { MAX_APPEND_ENTRIES_PER_S: String(limit) } : {});
    await createSessions(server, others + 1, 20_000);
    return server;
  };
  const unlimited = await start(0);
  const limited = await start(ISOLATION_LIMIT);
  const once = async (server, flooding) => {
    const [singles, flooder] = await Promise.all([
      loadAsync(
        {
          url: server.url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          bodies: ids.map((id) => ({ path: `/sessions/${id}/log`, body: single })),
          connections: others,
          duration: ISOLATION.seconds,
        },
        '1',
        WRK,
      ),
      flooding
        ? loadAsync(
            {
              url: server.url,
              path: `/sessions/${flooded}/log`,
              body: flood,
              contentType: 'application/json',
              connections: 8,
              duration: ISOLATION.seconds,
            },
            '1',
            'flooder.mjs',
          )
        : null,
    ]);
    return {
      othersRps: singles.requestsPerSecond,
      othersP50: singles.latencyP50,
      othersP99: singles.latencyP99,
      floodRps: flooder?.requestsPerSecond ?? 0,
      floodAcceptedRps: flooder?.acceptedPerSecond ?? 0,
      floodRejected: flooder?.refused ?? 0,
      valid: singles.valid && (!flooder || (flooder.requests > 0 && flooder.errors === 0)),
    };
  };
  const rounds = { alone: [], off: [], on: [] };
  for (let r = -ISOLATION.warmup; r < ISOLATION.rounds; r++) {
    const round = {
      alone: await once(unlimited, false),
      off: await once(unlimited, true),
      on: await once(limited, true),
    };
    if (r >= 0) for (const k of Object.keys(rounds)) rounds[k].push(round[k]);
  }
  await Promise.all([unlimited.stop(), limited.stop()]);
  /** One case over the rounds: the medians of its figures, the total refused, valid if every round was. */
  const summary = (runs) => {
    const of = (figure) => median(runs.map((run) => run[figure]));
    return {
      othersRps: of('othersRps'),
      othersP50: of('othersP50'),
      othersP99: of('othersP99'),
      othersP99Range: [Math.min(...runs.map((run) => run.othersP99)), Math.max(...runs.map((run) => run.othersP99))],
      floodRps: of('floodRps'),
      floodAcceptedRps: of('floodAcceptedRps'),
      floodRejected: runs.reduce((sum, run) => sum + run.floodRejected, 0),
      valid: runs.every((run) => run.valid),
    };
  };
  const [alone, off, on] = [rounds.alone, rounds.off, rounds.on].map(summary);
  const ofAlone = (runs) => roundRatios(runs, rounds.alone, (run) => run.othersRps);
  return {
    others,
    limit: ISOLATION_LIMIT,
    rounds: ISOLATION.rounds,
    seconds: ISOLATION.seconds,
    alone,
    off: { ...off, ofAlone: ofAlone(rounds.off) },
    on: { ...on, ofAlone: ofAlone(rounds.on) },
    valid: alone.valid && off.valid && on.valid,
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
  // Measured from when every client has its first listing, after a warm-up: the connects are not the push.
  const counted = await serverCpuWhileSubscribed(server.pid, {
    mode: 'list',
    clients: SCALE.listClients,
    wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
    warmupMs: 1500,
    durationMs: SCALE.listSeconds * 1000,
  });
  await server.stop();
  const cpu = counted.cpuSeconds;
  const ticks = SCALE.listSeconds;
  return {
    sessions: SCALE.listSessions + 1,
    clients: SCALE.listClients,
    bytesPerTickPerClient: counted.frames ? counted.bytes / counted.frames : 0,
    // Below 1, clients could not take the lists and were skipped: the CPU figure is then for fewer sends.
    listingsPerClientPerTick: counted.frames / SCALE.listClients / ticks,
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
 * a mode's figure minus the changes-alone one. That is a difference of two figures of 3–10 %
 * each, and one window of each moved it by more than the target (0.0–7.4 % over earlier
 * runs), so the changes alone and the delta mode alternate FEED.pairs times and the delta
 * share is the median of the pairs' differences.
 */
async function sessionsFeed() {
  const server = await startServer('api', { MAX_SESSIONS: '100000' });
  const firstSession = 200_001;
  await createSessions(server, FEED.sessions, firstSession - 1);
  const phase = (feedMode, clients) =>
    serverCpuWhileSubscribed(server.pid, {
      mode: 'feed',
      feedMode,
      clients,
      wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
      url: server.url,
      firstSession,
      sessionCount: FEED.sessions,
      changesPerSecond: FEED.sessions / 100,
      warmupMs: FEED.warmupMs,
      durationMs: FEED.seconds * 1000,
    });
  const pairs = [];
  for (let i = 0; i < FEED.pairs; i++) {
    const alone = await phase('none', 0);
    pairs.push({ alone, delta: await phase('delta', FEED.dashboards) });
  }
  const share = ({ alone, delta }) => Math.max(0, delta.cpuPercentOfCore - alone.cpuPercentOfCore);
  const middle = [...pairs].sort((a, b) => share(a) - share(b))[Math.floor(pairs.length / 2)];
  const { alone: changesAlone, delta } = middle;
  const full = await phase('full', FEED.dashboards);
  await server.stop();
  const framesPerSecond = delta.deltas / FEED.dashboards / FEED.seconds;
  const frameBytes = delta.bytes / Math.max(1, delta.deltas);
  const bareWs = await wsFramesBaseline(framesPerSecond, frameBytes);
  const expectedChanges = (FEED.seconds * FEED.sessions) / 100;
  const steady = (run) => run.changeErrors === 0 && run.changes >= expectedChanges * 0.8;
  return {
    sessions: FEED.sessions + 1,
    dashboards: FEED.dashboards,
    changesPerSecond: FEED.sessions / 100,
    changesAlone,
    delta,
    full,
    deltaCpuPercentOfCore: share(middle),
    deltaCpuPercentRounds: pairs.map(share),
    deltaFramesPerSecond: framesPerSecond,
    deltaFrameBytes: frameBytes,
    bareWsCpuPercentOfCore: bareWs.cpuPercentOfCore,
    fullCpuPercentOfCore: Math.max(0, full.cpuPercentOfCore - changesAlone.cpuPercentOfCore),
    // Below 1 a second, the dashboards could not take the full lists and were skipped (see the README).
    fullListingsPerSecond: full.listings / FEED.dashboards / FEED.seconds,
    // Delta dashboards got deltas and no periodic lists; full ones got the periodic lists.
    valid:
      [...pairs.flatMap(({ alone, delta }) => [alone, delta]), full].every(steady) &&
      delta.deltas > 0 &&
      delta.listings === 0 &&
      full.listings > 0 &&
      bareWs.frames > 0,
  };
}

/**
 * The delta feed's floor: a bare `ws` server (bench/ws-frames-server.mjs, pinned like the API)
 * sending FEED.dashboards clients frames of the deltas' mean size at their rate; its CPU over
 * a window as long as the feed's.
 */
async function wsFramesBaseline(framesPerSecond, frameBytes) {
  const server = await startNode(join(BENCH, 'ws-frames-server.mjs'), {
    cores: '0',
    env: { FRAMES_PER_SECOND: String(framesPerSecond), FRAME_BYTES: String(Math.round(frameBytes)) },
  });
  try {
    return await serverCpuWhileSubscribed(server.pid, {
      mode: 'list',
      clients: FEED.dashboards,
      wsUrl: server.url.replace('http', 'ws'),
      warmupMs: FEED.warmupMs,
      durationMs: FEED.seconds * 1000,
    });
  } finally {
    await server.stop();
  }
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

// ---- report ------------------------------------------------------------------------

const fmt = (n, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : String(n);

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
    : { run: skipped, logger: skipped };
  const redis = wanted('redis') ? await redisWorkloads({ quick: QUICK }) : skipped;
  const x = (a, b) => (a && b ? fmt(a / b, 2) + 'x' : '');
  /** A figure on the three servers, with the API's ratio to each baseline. */
  const compared = (label, figure, target, digits = 0) => [
    label,
    fmt(figure(api), digits),
    fmt(figure(bare), digits),
    fmt(figure(naive), digits),
    x(figure(api), figure(bare)),
    x(figure(api), figure(naive)),
    target,
  ];
  /** A median per-round ratio with its range. */
  const spread = (ratio) => (ratio ? `${fmt(ratio.median, 2)}x [${fmt(ratio.min, 2)}-${fmt(ratio.max, 2)}]` : '');
  /** A workload's per-round ratios, if it ran in interleaved rounds (ingest, reads). */
  const ratiosOf = (workload) => ingested.ratios[workload] ?? read.ratios[workload];
  /**
   * A figure taken in interleaved rounds: each server's median over the rounds, and as ratios
   * the medians of the API's per-round ratios with their range, of requests/s or (`bytes`, the
   * downloads) of bytes/s.
   */
  const roundRow = (label, workload, figure, target, { digits = 0, bytes = false } = {}) => {
    const row = compared(label, figure, target, digits);
    const ratios = ratiosOf(workload);
    if (!ratios) return row;
    const [toBare, toNaive] = bytes ? [ratios.bytesBare, ratios.bytesNaive] : [ratios.bare, ratios.naive];
    return [...row.slice(0, 4), spread(toBare), spread(toNaive), target];
  };
  /** The server's CPU time per request: its ratios are the baseline's time over the API's (above 1: the API costs less). */
  const cpuRow = (label, workload) => {
    const ratios = ratiosOf(workload);
    const [, ...cells] = compared(label, (r) => r[workload]?.cpuUs, '', 1);
    return ratios
      ? [label, ...cells.slice(0, 3), spread(ratios.cpuBare), spread(ratios.cpuNaive), '']
      : [label, ...cells];
  };
  /**
   * p50/p99 latencies (for workloads run in rounds, the medians of the rounds' figures); with
   * `requestRatios`, the ratio columns give the per-round ratios of requests/s.
   */
  const latencies = (label, workload, target = '', requestRatios = false) => {
    const ratios = requestRatios && ratiosOf(workload);
    return [
      label,
      ...[api, bare, naive].map((run) =>
        // wrk times in microseconds: a tenth of a millisecond is what the targets need.
        run[workload] ? `${fmt(run[workload].latencyP50, 1)}/${fmt(run[workload].latencyP99, 1)}` : '',
      ),
      ratios ? `req/s ${spread(ratios.bare)}` : '',
      ratios ? `req/s ${spread(ratios.naive)}` : '',
      target,
    ];
  };
  const mb = (run, workload) => run[workload] && run[workload].bytesPerSecond / 1e6;
  const note = (label, value, detail, target) => [label, value, '', '', detail, '', target];
  const memoryRow = (label, runs, target) => [
    label,
    ...runs.map((run) => (run.skipped ? '' : fmt(run.bytesPerEntry, 1))),
    runs[0].skipped
      ? ''
      : `RSS slope over the fill's last 3/4; whole fill, with the heap's growth: ${runs.map((run) => fmt(run.wholeFillBytesPerEntry, 1)).join('/')}`,
    '',
    target,
  ];
  const rows = [
    roundRow('JSON batch ingest, entries/s', 'jsonBatch', (r) => r.jsonBatch?.entriesPerSecond, '>= 0.7x bare'),
    roundRow('text ingest, entries/s', 'textBatch', (r) => r.textBatch?.entriesPerSecond, '>= 0.8x bare'),
    roundRow('single-entry appends, requests/s', 'single', (r) => r.single?.requestsPerSecond, '>= 0.77x bare'),
    cpuRow('JSON batch ingest, server CPU µs per request', 'jsonBatch'),
    cpuRow('text ingest, server CPU µs per request', 'textBatch'),
    cpuRow('single-entry appends, server CPU µs per request', 'single'),
    roundRow('cursor tail read, requests/s', 'tailLoaded', (r) => r.tailLoaded?.requestsPerSecond, '>= 1.5x naive'),
    latencies('cursor tail read p50/p99 loaded, ms', 'tailLoaded', 'p99 <= 10 ms'),
    latencies('cursor tail read p50/p99 unloaded, ms', 'tailUnloaded', 'p99 <= 5 ms', true),
    roundRow(
      'offset page read (middle of 10,000), requests/s',
      'offsetMiddle',
      (r) => r.offsetMiddle?.requestsPerSecond,
      '>= 1.5x naive',
    ),
    roundRow(
      `filtered read q=${FILTER_WORD} (10,000 entries), requests/s`,
      'filteredLoaded',
      (r) => r.filteredLoaded?.requestsPerSecond,
      '>= 3x naive',
    ),
    latencies('filtered read p50/p99 unloaded, ms', 'filteredUnloaded', 'p50 <= 2 ms', true),
    compared('first NDJSON download of each log (one by one), MB/s', (r) => mb(r, 'firstDownload'), '', 1),
    roundRow('NDJSON download of a full log, MB/s', 'ndjsonDownload', (r) => mb(r, 'ndjsonDownload'), '>= 200 MB/s', {
      digits: 1,
      bytes: true,
    }),
    roundRow('text download of a full log, MB/s', 'textDownload', (r) => mb(r, 'textDownload'), '>= 200 MB/s', {
      digits: 1,
      bytes: true,
    }),
    cpuRow('cursor tail read (loaded), server CPU µs per request', 'tailLoaded'),
    cpuRow('offset page read, server CPU µs per request', 'offsetMiddle'),
    cpuRow('filtered read (loaded), server CPU µs per request', 'filteredLoaded'),
    cpuRow('NDJSON download, server CPU µs per request', 'ndjsonDownload'),
    cpuRow('text download, server CPU µs per request', 'textDownload'),
    memoryRow('RSS per held entry (100-byte message), bytes', [memoryApi, memoryBare, memoryNaive], '<= 125'),
    memoryRow(
      `RSS per held entry (cook log, ${fmt(memoryApiCook.messageBytesPerEntry ?? 0)}-byte messages), bytes`,
      [memoryApiCook, memoryBareCook, memoryNaiveCook],
      '<= 60',
    ),
    isolated.skipped
      ? note('isolation', '', 'skipped', '')
      : note(
          `isolation: ${isolated.others} sessions' single appends while one floods, p99 ms (limit off/on)`,
          `${fmt(isolated.off.othersP99, 1)}/${fmt(isolated.on.othersP99, 1)}`,
          `alone ${fmt(isolated.alone.othersP99, 1)} ms; throughput ${spread(isolated.off.ofAlone)}/${spread(isolated.on.ofAlone)} of alone (medians of ${isolated.rounds} rounds)`,
          'p99 <= 5 ms, >= 0.7x',
        ),
    live.skipped
      ? note('append -> WebSocket', '', 'skipped', '')
      : note(
          `append -> WebSocket, ${live.expected / (live.probes || 1)} subscribers, p50/p99 ms`,
          `${fmt(live.p50, 1)}/${fmt(live.p99, 1)}`,
          `while ingesting ${fmt(live.ingestEntriesPerSecond)} entries/s`,
          'p99 <= 20 ms',
        ),
    push.skipped
      ? note('sessions push', '', 'skipped', '')
      : note(
          `sessions push, ${push.sessions} sessions x ${push.clients} clients`,
          `${fmt(push.cpuPercentOfCore, 1)} % of a core`,
          `${fmt(push.cpuMsPerTick, 1)} ms CPU per tick, ${fmt(push.bytesPerTickPerClient / 1024)} KiB per client, ${fmt(push.listingsPerClientPerTick, 2)} lists per client per tick`,
          '<= 10 %',
        ),
    ui.skipped
      ? note('dashboard', '', 'skipped', '')
      : note(
          `dashboard: filter keystroke, ${ui.entries} entries, median/max ms`,
          `${fmt(ui.keystrokeMedianMs, 1)}/${fmt(ui.keystrokeMaxMs, 1)}`,
          'input to painted frame, Chromium',
          '<= 50 ms',
        ),
    ui.skipped
      ? note('dashboard follow', '', 'skipped', '')
      : note(
          `dashboard: follow at ${fmt(ui.followEntriesPerSecond)} entries/s`,
          `lag ${fmt(ui.followLagFirstHalf)} -> ${fmt(ui.followLagSecondHalf)} entries`,
          `received -> shown median/max ${fmt(ui.followWaitMedianMs)}/${fmt(ui.followWaitMaxMs)} ms; caught up ${fmt(ui.followCatchUpMs)} ms after the stream stopped`,
          'no growing lag',
        ),
    feed.skipped
      ? note('sessions feed', '', 'skipped', '')
      : note(
          `sessions feed, ${feed.sessions} sessions x ${feed.dashboards} dashboards, delta mode`,
          `${fmt(feed.deltaCpuPercentOfCore, 2)} % of a core [${feed.deltaCpuPercentRounds.map((x) => fmt(x, 2)).join(', ')}]`,
          `${fmt(feed.changesPerSecond)} changes/s, ${fmt(feed.deltaFramesPerSecond, 1)} deltas/s of ${fmt(feed.deltaFrameBytes)} B to each; ` +
            `a bare ws server sending the same: ${fmt(feed.bareWsCpuPercentOfCore, 2)} %; ` +
            `full mode ${fmt(feed.fullCpuPercentOfCore, 1)} % (${fmt(feed.fullListingsPerSecond, 1)} lists/s each); changes alone ${fmt(feed.changesAlone.cpuPercentOfCore, 1)} %`,
          '<= 1 %',
        ),
    merged.skipped
      ? note('dashboard merged', '', 'skipped', '')
      : note(
          `dashboard merged ${merged.sessions} sessions: keystroke, ${merged.entries} entries, median/max ms`,
          `${fmt(merged.keystrokeMedianMs, 1)}/${fmt(merged.keystrokeMaxMs, 1)}`,
          'input to painted frame, Chromium',
          '<= 50 ms',
        ),
    merged.skipped
      ? note('dashboard merged follow', '', 'skipped', '')
      : note(
          `dashboard merged: follow at ${fmt(merged.followEntriesPerSecond)} entries/s`,
          `lag ${fmt(merged.followLagFirstHalf)} -> ${fmt(merged.followLagSecondHalf)} entries`,
          `frames median/p95 ${fmt(merged.frameMedianMs, 1)}/${fmt(merged.frameP95Ms, 1)} ms, ${fmt(merged.framesOver33MsPercent, 1)} % over 33 ms; received -> shown median/max ${fmt(merged.followWaitMedianMs)}/${fmt(merged.followWaitMaxMs)} ms; caught up ${fmt(merged.followCatchUpMs)} ms after`,
          'last row within a frame, >= 30 fps',
        ),
    client.run.skipped
      ? note('zen-sessions run', '', 'skipped', '')
      : note(
          `zen-sessions run --quiet, ${fmt(client.run.lines)} lines of 100 bytes, s`,
          `${fmt(client.run.wrappedSeconds, 2)} vs bare ${fmt(client.run.bareSeconds, 2)}`,
          `${fmt(client.run.ratio, 2)}x the bare run (output to a file); count and last seq checked`,
          '<= 1.3x',
        ),
    client.logger.skipped
      ? note('session logger', '', 'skipped', '')
      : note(
          'session logger, one process into one session, entries/s',
          fmt(client.logger.entriesPerSecond),
          `log() p50/p99 ${fmt(client.logger.logP50Us, 2)}/${fmt(client.logger.logP99Us, 2)} us`,
          '>= 200,000; p99 <= 5 us',
        ),
    ...(redis.skipped
      ? [note('Redis store', '', 'skipped', '')]
      : redisRows(redis, { note, fmt, memoryStoreBytes: memoryApi.bytesPerEntry })),
  ];
  const header = ['workload', 'api', 'same-store bare', 'naive bare', 'api/bare', 'api/naive', 'target'];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => String(r[c]).length)));
  const line = (r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  rows.forEach((r) => console.log(line(r)));
  if (wanted('throughput')) {
    console.log(
      `\nIngest: ${ingested.rounds} rounds of ${ingested.seconds} s; reads: ${read.rounds} rounds of ${read.seconds} s ` +
        '(the three servers up at once, taking turns). Each server: the median over the rounds (a p99: the median ' +
        "of the rounds' p99s); api/bare, api/naive: the median of the per-round ratios [min-max].",
    );
  }
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
  const invalid = Object.entries({
    ...Object.fromEntries(Object.entries(bare).map(([k, v]) => [`bare.${k}`, v.valid])),
    ...Object.fromEntries(Object.entries(naive).map(([k, v]) => [`naive.${k}`, v.valid])),
    ...Object.fromEntries(Object.entries(api).map(([k, v]) => [`api.${k}`, v.valid])),
    ...Object.fromEntries(Object.entries(memoryRuns).map(([k, v]) => [`memory.${k}`, v.valid])),
    isolated: isolated.valid,
    live: live.valid,
    push: push.valid,
    feed: feed.valid,
    ui: ui.valid,
    merged: merged.valid,
    'client.run': client.run.valid,
    'client.logger': client.logger.valid,
    redis: redis.valid,
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
