#!/usr/bin/env node
// Alternating A/B runs of the ingest and tail-read workloads of run.mjs, for comparing
// server builds against the bare baseline on a machine others are using too:
//   node bench/ab.mjs [--seconds 5] [--rounds 3] name=path/to/main.js ...
// `bare` (bench/bare-server.ts) is always included. Each round runs every server once,
// in turn, pinned as run.mjs pins them (server on core 0, autocannon on core 1); the
// report gives each figure's median over the rounds, its spread and its ratio to bare,
// both as throughput and as the server's CPU time per request (from /proc: on a machine
// whose cores are shared, the CPU a request costs moves far less than what it achieves).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = join(BENCH, '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 3);
const servers = [
  ['bare', join(BENCH, '.build/bare-server.js')],
  ...process.argv
    .slice(2)
    .filter((a) => a.includes('='))
    .map((a) => [a.split('=')[0], resolve(a.split('=')[1])]),
];

const oid = (i) => i.toString(16).padStart(24, '0');
const message = (i) => `bench entry ${String(i).padStart(8, '0')} ` + 'x'.repeat(78);
const jsonBatch = (n) =>
  JSON.stringify({ entries: Array.from({ length: n }, (_, i) => ({ level: 'info', message: message(i) })) });
const textBatch = (n) => Array.from({ length: n }, (_, i) => message(i)).join('\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });

async function start(file) {
  const port = await freePort();
  const child = spawn('taskset', ['-c', '0', 'node', file], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400; i++) {
    try {
      await fetch(`${url}/sessions/${oid(0)}/log`);
      break;
    } catch {
      await sleep(50);
    }
  }
  return { url, pid: child.pid, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Requests per second, and the server's CPU microseconds per request. */
function measured(server, spec) {
  const before = cpuSeconds(server.pid);
  const result = load({ url: server.url, ...spec });
  return { rps: result.requestsPerSecond, cpuUs: ((cpuSeconds(server.pid) - before) * 1e6) / result.requests };
}

function load(spec) {
  const file = join(BENCH, '.build', 'ab-spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const out = execFileSync('taskset', ['-c', '1', 'node', join(BENCH, 'load.mjs'), file], {
    maxBuffer: 1 << 26,
  }).toString();
  const result = JSON.parse(out.trim().split('\n').pop());
  if (result.non2xx || result.errors || !result.requests) throw new Error(`invalid run: ${out}`);
  return result;
}

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (res.status >= 300) throw new Error(`${url}: ${res.status}`);
}

async function workloads(file) {
  const server = await start(file);
  const ids = Array.from({ length: 64 }, (_, i) => oid(i + 1));
  for (const id of ids) await post(`${server.url}/sessions/${id}`, '{"appname":"bench"}');
  const at = (body) => ids.map((id) => ({ path: `/sessions/${id}/log`, body }));
  const run = (type, bodies) =>
    measured(server, { method: 'POST', headers: { 'content-type': type }, bodies, connections: 32, duration: SECONDS });
  const out = {};
  out.json = run('application/json', at(jsonBatch(100)));
  out.text = run('text/plain', at(textBatch(100)));
  out.single = run('application/json', at(JSON.stringify({ level: 'info', message: message(1) })));
  await server.stop();
  // Tail reads on a fresh server, as run.mjs does: 64 sessions of 10,000 entries.
  const reads = await start(file);
  const fill = jsonBatch(1000);
  for (const id of ids) await post(`${reads.url}/sessions/${id}`, '{"appname":"bench"}');
  for (const id of ids) for (let b = 0; b < 10; b++) await post(`${reads.url}/sessions/${id}/log`, fill);
  out.tail = measured(reads, {
    method: 'GET',
    headers: {},
    bodies: ids.map((id) => ({ path: `/sessions/${id}/log?cursor=9900` })),
    connections: 32,
    duration: SECONDS,
  });
  await reads.stop();
  return out;
}

mkdirSync(join(BENCH, '.build'), { recursive: true });
await esbuild.build({
  entryPoints: [join(BENCH, 'bare-server.ts')],
  outfile: join(BENCH, '.build/bare-server.js'),
  bundle: true,
  platform: 'node',
  tsconfig: join(REPO, 'tsconfig.base.json'),
  external: ['@nestjs/*', 'class-validator', 'class-transformer'],
  logLevel: 'warning',
});
const results = Object.fromEntries(servers.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, file] of servers) {
    results[name].push(await workloads(file));
    console.error(`round ${round + 1}: ${name} ${JSON.stringify(results[name].at(-1))}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const report = {};
for (const [name] of servers) {
  report[name] = {};
  for (const key of ['json', 'text', 'single', 'tail']) {
    const rps = results[name].map((r) => r[key].rps);
    const cpu = results[name].map((r) => r[key].cpuUs);
    const bareRps = median(results.bare.map((r) => r[key].rps));
    const bareCpu = median(results.bare.map((r) => r[key].cpuUs));
    report[name][key] = {
      rps: Math.round(median(rps)),
      rpsSpread: `${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))}`,
      rpsRatio: Number((median(rps) / bareRps).toFixed(2)),
      cpuUsPerRequest: Number(median(cpu).toFixed(1)),
      cpuSpread: `${Math.min(...cpu).toFixed(1)}–${Math.max(...cpu).toFixed(1)}`,
      // Bare's CPU per request over this one's: the throughput ratio on a core of its own.
      cpuRatio: Number((bareCpu / median(cpu)).toFixed(2)),
    };
  }
}
console.log(JSON.stringify(report, null, 1));
