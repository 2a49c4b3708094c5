#!/usr/bin/env node
// Soak: a realistic mix against the built server for SOAK_MINUTES (default 10), loopback
// only, bounded in time. 1,000 sessions, steady appends past capacity, cursor readers,
// dashboards on the WebSocket. Samples RSS and heap every 10 s and checks that memory
// flattens once every log is at capacity. Results: scripts/results/soak-latest.json.
// With LOG_STORE=redis (and REDIS_URL), Redis's used_memory is sampled and checked too.
// SOAK_CHURN=1 adds a churner: dashboards that connect, subscribe (logs from cursors, big
// backlogs among them, and the sessions list in full or delta mode) and vanish, a few a second,
// in six ways (see churnOnce). The server then runs with WS_PING_INTERVAL_MS=2000 (paused clients
// are reaped) and SESSIONS_RETAIN_ENDED=5 (followed sessions get forgotten). The run passes only if
// /metrics's zen_ws_clients, zen_ws_sessions_feed_clients{mode}, zen_ws_subscriptions and
// zen_ws_queued_bytes come back to the dashboards' own once the churner stops, and nothing a churned client did failed the server.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import WebSocket from 'ws';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const CHURN = process.env.SOAK_CHURN === '1';
/** Retained ended sessions while churning: few, so that sessions churned clients follow get forgotten. */
const CHURN_RETAIN_ENDED = 5;
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
  env: {
    ...process.env,
    PORT: String(port),
    LOG_CAPACITY: String(CAPACITY),
    MAX_SESSIONS: '5000',
    ...(CHURN ? { WS_PING_INTERVAL_MS: '2000', SESSIONS_RETAIN_ENDED: String(CHURN_RETAIN_ENDED) } : {}),
  },
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

// The churner (SOAK_CHURN=1): CHURNERS loops, each opening one connection after another that
// subscribes and vanishes in one of six ways, in turn (churnOnce).
const CHURNERS = 24;
const wsUrl = `${url.replace('http', 'ws')}/sessions/ws`;
const churn = {
  connections: 0,
  byWay: {
    clean: 0,
    destroyed: 0,
    closedMidBacklog: 0,
    destroyedMidBacklog: 0,
    reaped: 0,
    endedAndForgotten: 0,
    forgottenWhileFollowed: 0,
  },
  notReaped: 0,
  forgottenNotTold: 0,
  openFailures: 0,
  logFrames: 0,
  notFound: 0,
  unexpectedErrors: 0,
  lastUnexpected: null,
};
let churned = 0;
let churnSessions = 0;
const soakSession = () => oid(1 + Math.floor(Math.random() * SESSIONS));
const churnSession = (n) => oid(0x10000000 + n);
const sendEvent = (ws, event, data) => ws.send(JSON.stringify({ event, data }));
/** The first frame `ws` gets that passes `test` (its text), or null after `ms`. */
const frameWhere = (ws, test, ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.off('message', on);
      resolve(null);
    }, ms);
    const on = (data) => {
      const text = data.toString();
      if (!test(text)) return;
      clearTimeout(timer);
      ws.off('message', on);
      resolve(text);
    };
    ws.on('message', on);
  });
const isLog = (text) => text.startsWith('{"event":"log"');
const closedWithin = (ws, ms) =>
  ws.readyState === WebSocket.CLOSED
    ? Promise.resolve(true)
    : new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
const newChurnSession = async () => {
  const id = churnSession(churnSessions++);
  await post(`/sessions/${id}`, JSON.stringify({ appname: 'soak-churn', metadata: {} }));
  return id;
};
const endSession = (id) => counted(() => fetch(`${url}/sessions/${id}`, { method: 'DELETE' }));

/**
 * One churned connection: it takes the sessions list (full or delta, in turn) and follows logs,
 * then goes in way n % 6: 0 a clean close after its first `log` event; 1 a destroyed socket (no
 * close frame) after it; 2 ten backlogs of 2,000 entries asked for, then a close or a destroy
 * after the first `log` event, while the rest is still being sent; 3 twenty backlogs and a paused
 * socket (it reads nothing, answers no ping) left for the server to reap; 4 a session it follows
 * is ended, then unsubscribed from, and a forgotten one subscribed to and unsubscribed from; 5 a
 * followed session ended and forgotten by retention while followed (the server's `not found`).
 */
const churnOnce = async (n) => {
  const ws = new WebSocket(wsUrl);
  // An abrupt end raises an error on the client too: what counts is what the server keeps.
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const text = data.toString();
    if (isLog(text)) churn.logFrames++;
    else if (text.startsWith('{"event":"error"')) {
      if (text.includes(' not found')) churn.notFound++;
      else {
        churn.unexpectedErrors++;
        churn.lastUnexpected = text.slice(0, 300);
      }
    }
  });
  const opened = await new Promise((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('close', () => resolve(false));
  });
  if (!opened) {
    churn.openFailures++;
    return;
  }
  churn.connections++;
  const way = n % 6;
  const variant = Math.floor(n / 6) % 2;
  sendEvent(ws, 'subscribe-sessions', { mode: variant ? 'delta' : 'full' });
  const follow = (count) => {
    for (let i = 0; i < count; i++) sendEvent(ws, 'subscribe-log', { id: soakSession(), cursor: 0 });
  };
  if (way === 0 || way === 1) {
    follow(3);
    await frameWhere(ws, isLog, 10_000);
    if (way === 0) {
      ws.close();
      churn.byWay.clean++;
    } else {
      ws.terminate();
      churn.byWay.destroyed++;
    }
  } else if (way === 2) {
    follow(10);
    await frameWhere(ws, isLog, 10_000);
    if (variant) {
      ws.terminate();
      churn.byWay.destroyedMidBacklog++;
    } else {
      ws.close();
      churn.byWay.closedMidBacklog++;
    }
  } else if (way === 3) {
    follow(20);
    await frameWhere(ws, isLog, 10_000);
    // It reads nothing more and answers no ping: the server reaps it within two ping periods (4 s).
    ws._socket.pause();
    await sleep(8_000);
    ws._socket.resume();
    // What the kernel held comes in, then the end of a connection the server closed.
    if (await closedWithin(ws, 10_000)) churn.byWay.reaped++;
    else churn.notReaped++;
  } else if (way === 4) {
    const id = await newChurnSession();
    sendEvent(ws, 'subscribe-log', { id, cursor: 0 });
    follow(2);
    await post(`/sessions/${id}/log`, 'churned', 'text/plain');
    await frameWhere(ws, (text) => isLog(text) && text.includes(id), 10_000);
    await endSession(id);
    sendEvent(ws, 'unsubscribe-log', { id });
    // One ended long ago: forgotten by retention, refused as not found.
    const forgotten = churnSession(Math.max(0, churnSessions - 10 * CHURN_RETAIN_ENDED));
    sendEvent(ws, 'subscribe-log', { id: forgotten, cursor: 0 });
    sendEvent(ws, 'unsubscribe-log', { id: forgotten });
    sendEvent(ws, 'unsubscribe-log', { id: soakSession() });
    await sleep(200);
    ws.close();
    churn.byWay.endedAndForgotten++;
  } else {
    const id = await newChurnSession();
    sendEvent(ws, 'subscribe-log', { id, cursor: 0 });
    follow(1);
    await sleep(100);
    const told = frameWhere(ws, (text) => text.includes(`session ${id} not found`), 30_000);
    await endSession(id);
    // Forgotten once CHURN_RETAIN_ENDED sessions ended after it: this connection ends that many.
    for (let i = 0; i < CHURN_RETAIN_ENDED; i++) await endSession(await newChurnSession());
    if (await told) churn.byWay.forgottenWhileFollowed++;
    else churn.forgottenNotTold++;
    if (variant) ws.terminate();
    else ws.close();
  }
  await closedWithin(ws, 5_000);
};
const churner = async () => {
  while (CHURN && Date.now() < deadline) await churnOnce(churned++);
};

/** The WebSocket gauges of /metrics (text), by name. */
const wsGauges = (metrics) => ({
  clients: Number(/^zen_ws_clients (\S+)/m.exec(metrics)?.[1] ?? NaN),
  subscriptions: Number(/^zen_ws_subscriptions (\S+)/m.exec(metrics)?.[1] ?? NaN),
  queuedBytes: Number(/^zen_ws_queued_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN),
  feedFull: Number(/^zen_ws_sessions_feed_clients\{mode="full"\} (\S+)/m.exec(metrics)?.[1] ?? NaN),
  feedDelta: Number(/^zen_ws_sessions_feed_clients\{mode="delta"\} (\S+)/m.exec(metrics)?.[1] ?? NaN),
});
/** The dashboards' own: 5 clients in full mode, their 100 follows, nothing queued once read. */
const onlyDashboards = (gauges) =>
  gauges.clients === dashboards.length &&
  gauges.feedFull === dashboards.length &&
  gauges.feedDelta === 0 &&
  gauges.subscriptions === 100 &&
  gauges.queuedBytes === 0;

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
      ...(CHURN ? { ws: wsGauges(metrics), churned: churn.connections } : {}),
    };
    samples.push(sample);
    const inRedis = redis ? `  redis ${(sample.redisUsed / 2 ** 20).toFixed(0)} MiB` : '';
    const churning = CHURN
      ? `  churned ${churn.connections}  ws clients ${sample.ws.clients} (feed ${sample.ws.feedFull} full ${sample.ws.feedDelta} delta) subscriptions ${sample.ws.subscriptions} queued ${(sample.ws.queuedBytes / 2 ** 20).toFixed(1)} MiB`
      : '';
    console.log(
      `${String(sample.seconds).padStart(5)} s  rss ${(sample.rss / 2 ** 20).toFixed(0)} MiB  heap ${(heap / 2 ** 20).toFixed(0)} MiB${inRedis}  entries appended ${sample.entries}${churning}`,
    );
    await sleep(10_000);
  }
};

await Promise.all([
  ...Array.from({ length: 4 }, appender),
  ...Array.from({ length: 4 }, reader),
  ...Array.from({ length: CHURNERS }, churner),
  sampler(),
]);
// Once the churner is gone, the server must hold the dashboards' own (onlyDashboards), waited
// for up to 30 s.
let after = null;
if (CHURN) {
  const settleBy = Date.now() + 30_000;
  do {
    after = wsGauges(await (await fetch(`${url}/metrics`)).text());
    if (onlyDashboards(after)) break;
    await sleep(1_000);
  } while (Date.now() < settleBy);
}
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
  churn: CHURN ? { ...churn, wsAfter: after } : undefined,
};
const within = (later, earlier) => later !== null && earlier !== null && later <= earlier * 1.1;
// Whoever holds the logs must not grow once they are full: the server's peaks on the memory
// store; on Redis, Redis's peaks, and the server's floor (it holds no logs: its RSS is mostly the
// heap's swing between collections, tens of MiB, while what a leak raises is what survives them).
result.flat = redis
  ? within(result.redisMaxSecondHalfWhenFull, result.redisMaxFirstHalfWhenFull) &&
    within(result.rssMinSecondHalfWhenFull, result.rssMinFirstHalfWhenFull)
  : within(result.rssMaxSecondHalfWhenFull, result.rssMaxFirstHalfWhenFull);
// Churned clients leave nothing behind: the gauges are the dashboards' own again, every way of
// leaving was taken, every paused client was reaped, every forgotten follow was told.
result.churnClean = CHURN
  ? onlyDashboards(after) &&
    churn.notReaped === 0 &&
    churn.forgottenNotTold === 0 &&
    churn.openFailures === 0 &&
    churn.unexpectedErrors === 0 &&
    Object.values(churn.byWay).every((count) => count > 0)
  : undefined;
mkdirSync(join(REPO, 'scripts', 'results'), { recursive: true });
writeFileSync(join(REPO, 'scripts', 'results', 'soak-latest.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify({ ...result, samples: undefined }, null, 2));
process.exit(result.flat && counts.failures === 0 && result.churnClean !== false ? 0 : 1);
