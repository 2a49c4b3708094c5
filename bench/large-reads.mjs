// Many large reads at once through one replica on LOG_STORE=redis (stop 44, not part of
// `npm run bench`): 20 parallel downloads of a log of 10,000 entries of ~1 KB (~10 MB), with an
// append, a poller's read (from its cursor, no limit) and a readiness probe every 100 ms meanwhile.
// Prints, per round, how long the burst took, the statuses of the downloads, the appends, the polls
// and the probes, and the appends' and polls' latency.
//
//   node bench/large-reads.mjs [built main.js ...] [--rounds N]
//
// Several builds (e.g. one before a change and one after) are run in turn, round after round,
// so that a shared machine's load falls on each alike. Needs Debian's redis-server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, post, REPO, sleep, startServer } from './common.mjs';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 3;
const builds = args.length > 0 ? args : [join(REPO, 'dist/apps/api/main.js')];
const DOWNLOADS = 20;

for (let round = 1; round <= rounds; round++) {
  for (const build of builds) console.log(`round ${round} ${build}: ${JSON.stringify(await burst(build))}`);
}

async function burst(build) {
  const dir = mkdtempSync(join(tmpdir(), 'large-reads-'));
  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--dir', dir], { stdio: 'ignore' });
  const env = { LOG_STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${redisPort}` };
  const server = await startServer(build, { cores: '0,1', env, readyPath: '/health/ready', readyOk: true });
  try {
    const log = `${server.url}/sessions/${'ab'.repeat(12)}/log`;
    await post(log.slice(0, -'/log'.length), JSON.stringify({ appname: 'large-reads' }));
    const pad = 'x'.repeat(1000);
    for (let from = 0; from < 10_000; from += 500) {
      const entries = Array.from({ length: 500 }, (_, i) => ({ message: `e${from + i} ${pad}` }));
      await post(log, JSON.stringify({ entries }));
    }
    const start = performance.now();
    const count = (tally, status) => (tally[status] = (tally[status] ?? 0) + 1);
    const downloads = {};
    let done = false;
    const burst = Promise.all(
      Array.from({ length: DOWNLOADS }, async () => {
        const res = await fetch(log);
        await res.arrayBuffer();
        count(downloads, res.status);
      }),
    ).then(() => (done = true));
    const appends = {};
    const appendMs = [];
    const ready = {};
    const every100ms = async (step) => {
      while (!done) {
        await step();
        await sleep(100);
      }
    };
    const appending = every100ms(async () => {
      const sent = performance.now();
      const res = await fetch(log, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"message":"during"}',
      });
      await res.arrayBuffer();
      appendMs.push(performance.now() - sent);
      count(appends, res.status);
    });
    // A follower polling over HTTP as the contract recommends: from its cursor, without a limit.
    const polls = {};
    const pollMs = [];
    let pollCursor = 10_000;
    const polling = every100ms(async () => {
      const sent = performance.now();
      const res = await fetch(`${log}?cursor=${pollCursor}`);
      const body = await res.json();
      pollMs.push(performance.now() - sent);
      count(polls, res.status);
      if (res.status === 200) pollCursor = body.cursor;
    });
    const probing = every100ms(async () => {
      const res = await fetch(`${server.url}/health/ready`);
      await res.arrayBuffer();
      count(ready, res.status);
    });
    await burst;
    const burstMs = Math.round(performance.now() - start);
    await Promise.all([appending, polling, probing]);
    appendMs.sort((a, b) => a - b);
    pollMs.sort((a, b) => a - b);
    return {
      burstMs,
      downloads,
      appends,
      appendMedianMs: Math.round(appendMs[appendMs.length >> 1]),
      appendMaxMs: Math.round(appendMs[appendMs.length - 1]),
      polls,
      pollMedianMs: Math.round(pollMs[pollMs.length >> 1]),
      pollMaxMs: Math.round(pollMs[pollMs.length - 1]),
      ready,
    };
  } finally {
    await server.stop();
    await new Promise((resolve) => (redis.once('exit', resolve), redis.kill('SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  }
}
