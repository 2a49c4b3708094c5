#!/usr/bin/env node
// Interleaved A/B runs for a machine others are using too:
//   node bench/interleaved.mjs ROUNDS SECONDS json,text,single,tail name=path/to/server.js ...
// e.g. node bench/interleaved.mjs 8 1 single,text,json bare=bench/.build/bare-server.js api=dist/apps/api/main.js
// Every server is up at once (pinned to core 0, 64 sessions filled to 10,000 entries); each
// round runs every workload on every server in turn (autocannon on core 1, 32 connections).
// Each round's figures are divided by the first server's of the same round, so that
// neighbours slowing the machine down between rounds cancel out; the report gives the
// median of those per-round ratios (and their range), for requests/s and for the first
// server's CPU time per request over this one's (from /proc). Build bare-server.js first
// (node bench/ab.mjs or bench/run.mjs do).
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = join(BENCH, '..');
const [rounds, seconds, wl, ...servers] = process.argv.slice(2);
mkdirSync(join(BENCH, '.build'), { recursive: true });
const workloads = wl.split(',');
const oid = (i) => i.toString(16).padStart(24, '0');
const message = (i) => `bench entry ${String(i).padStart(8, '0')} ` + 'x'.repeat(78);
const jsonBatch = (n) =>
  JSON.stringify({ entries: Array.from({ length: n }, (_, i) => ({ level: 'info', message: message(i) })) });
const textBatch = (n) => Array.from({ length: n }, (_, i) => message(i)).join('\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const cpu = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
};
const post = async (u, body) => {
  const r = await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (r.status >= 300) throw new Error(u + r.status);
};
const ids = Array.from({ length: 64 }, (_, i) => oid(i + 1));
const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
async function start(name, file) {
  const port = await freePort();
  const child = spawn('taskset', ['-c', '0', 'node', resolve(file)], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(`${url}/sessions/${oid(0)}/log`);
      break;
    } catch {
      await sleep(50);
    }
  }
  for (const id of ids) await post(`${url}/sessions/${id}`, '{"appname":"bench"}');
  const fill = jsonBatch(1000);
  for (const id of ids) for (let b = 0; b < 10; b++) await post(`${url}/sessions/${id}/log`, fill);
  return { name, url, child };
}
const at = (body) => ids.map((id) => ({ path: `/sessions/${id}/log`, body }));
const specs = {
  json: { method: 'POST', headers: { 'content-type': 'application/json' }, bodies: at(jsonBatch(100)) },
  text: { method: 'POST', headers: { 'content-type': 'text/plain' }, bodies: at(textBatch(100)) },
  single: {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    bodies: at(JSON.stringify({ level: 'info', message: message(1) })),
  },
  tail: { method: 'GET', headers: {}, bodies: ids.map((id) => ({ path: `/sessions/${id}/log?cursor=9900` })) },
};
const up = [];
for (const s of servers) {
  const [name, file] = s.split('=');
  up.push(await start(name, file));
}
const res = {};
for (let r = 0; r < Number(rounds); r++) {
  for (const w of workloads) {
    for (const s of up) {
      const f = join(BENCH, '.build', `interleaved-${s.name}.json`);
      writeFileSync(f, JSON.stringify({ url: s.url, connections: 32, duration: Number(seconds), ...specs[w] }));
      const before = cpu(s.child.pid);
      const o = JSON.parse(
        execFileSync('taskset', ['-c', '1', 'node', join(BENCH, 'load.mjs'), f])
          .toString()
          .trim()
          .split('\n')
          .pop(),
      );
      if (o.non2xx || o.errors || !o.requests) throw new Error(JSON.stringify(o));
      ((res[w] ??= {})[s.name] ??= []).push({
        rps: o.requestsPerSecond,
        cpuUs: ((cpu(s.child.pid) - before) * 1e6) / o.requests,
      });
    }
  }
  console.error(`round ${r} done, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
}
for (const s of up) s.child.kill('SIGTERM');
const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};
const base = up[0].name;
for (const w of workloads) {
  const line = [w];
  for (const s of up) {
    const rr = res[w][s.name].map((o, i) => o.rps / res[w][base][i].rps);
    const cr = res[w][s.name].map((o, i) => res[w][base][i].cpuUs / o.cpuUs);
    line.push(
      `${s.name}: rps ratio median ${median(rr).toFixed(2)} [${Math.min(...rr).toFixed(2)}-${Math.max(...rr).toFixed(2)}], cpu ratio median ${median(cr).toFixed(2)} [${Math.min(...cr).toFixed(2)}-${Math.max(...cr).toFixed(2)}], min cpu ${Math.min(...res[w][s.name].map((o) => o.cpuUs)).toFixed(0)} µs`,
    );
  }
  console.log(line.join('\n   '));
}
