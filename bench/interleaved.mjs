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
// (`BENCH_ONLY=none node bench/run.mjs --quick` does).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpuSeconds, jsonBatch, load, message, oid, post, startServer, textBatch } from './common.mjs';

const [rounds, seconds, wl, ...servers] = process.argv.slice(2);
const workloads = wl.split(',');
const ids = Array.from({ length: 64 }, (_, i) => oid(i + 1));
async function start(name, file) {
  const server = await startServer(resolve(file), { readyPath: `/sessions/${oid(0)}/log` });
  for (const id of ids) await post(`${server.url}/sessions/${id}`, '{"appname":"bench"}');
  const fill = jsonBatch(1000);
  for (const id of ids) for (let b = 0; b < 10; b++) await post(`${server.url}/sessions/${id}/log`, fill);
  return { name, ...server };
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
// Round -1 warms every server up and is not counted: a server's first round ran at a
// fraction of its speed (JIT, heap growth), which read as a regression of whichever came first.
for (let r = -1; r < Number(rounds); r++) {
  for (const w of workloads) {
    for (const s of up) {
      const before = cpuSeconds(s.pid);
      const o = load({ url: s.url, connections: 32, duration: Number(seconds), ...specs[w] });
      if (!o.valid) throw new Error(JSON.stringify(o));
      if (r < 0) continue;
      ((res[w] ??= {})[s.name] ??= []).push({
        rps: o.requestsPerSecond,
        cpuUs: ((cpuSeconds(s.pid) - before) * 1e6) / o.requests,
      });
    }
  }
  console.error(`round ${r} done, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
}
await Promise.all(up.map((s) => s.stop()));
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
