#!/usr/bin/env node
// Interleaved A/B runs for a machine others are using too:
//   node bench/interleaved.mjs ROUNDS SECONDS json,text,single,tail,offset,q,ndjson,textDownload name=path/to/server.js ...
// e.g. node bench/interleaved.mjs 8 1 single,text,json bare=bench/.build/bare-server.js api=dist/apps/api/main.js
// Every server is up at once (pinned to core 0, 64 sessions filled to 10,000 entries); each
// round runs every workload on every server in turn (wrk on core 1, 32 connections;
// common.mjs's interleavedRounds, with an uncounted warm-up round). Each round's figures are
// divided by the first server's of the same round, so that neighbours slowing the machine
// down between rounds cancel out; the report gives the median of those per-round ratios
// (and their range), for requests/s and for the first server's CPU time per request over
// this one's (from /proc), and the median of the rounds' p50/p99 latencies. Build
// bare-server.js first (`BENCH_ONLY=none node bench/run.mjs --quick` does).
import { resolve } from 'node:path';
import {
  interleavedRounds,
  jsonBatch,
  median,
  message,
  oid,
  post,
  roundRatios,
  startServer,
  textBatch,
} from './common.mjs';

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
  offset: {
    method: 'GET',
    headers: {},
    bodies: ids.map((id) => ({ path: `/sessions/${id}/log?offset=4950&limit=100` })),
  },
  q: { method: 'GET', headers: {}, bodies: ids.map((id) => ({ path: `/sessions/${id}/log?cursor=0&q=00000042` })) },
  ndjson: {
    method: 'GET',
    headers: {},
    bodies: ids.map((id) => ({ path: `/sessions/${id}/log?cursor=0&format=ndjson` })),
  },
  textDownload: {
    method: 'GET',
    headers: {},
    bodies: ids.map((id) => ({ path: `/sessions/${id}/log?cursor=0&format=text` })),
  },
};
const up = [];
for (const s of servers) {
  const [name, file] = s.split('=');
  up.push(await start(name, file));
}
const res = interleavedRounds({ servers: up, specs, workloads, rounds: Number(rounds), seconds: Number(seconds) });
await Promise.all(up.map((s) => s.stop()));
const invalid = workloads.flatMap((w) => up.filter((s) => res[w][s.name].some((run) => !run.valid)));
if (invalid.length > 0) throw new Error(`invalid runs (errors or non-2xx answers) on ${invalid.map((s) => s.name)}`);
const range = ({ median, min, max }) => `median ${median.toFixed(2)} [${min.toFixed(2)}-${max.toFixed(2)}]`;
const base = up[0].name;
for (const w of workloads) {
  const line = [w];
  for (const s of up) {
    const rps = roundRatios(res[w][s.name], res[w][base]);
    const cpu = roundRatios(res[w][base], res[w][s.name], (run) => run.cpuUs);
    const minCpu = Math.min(...res[w][s.name].map((run) => run.cpuUs));
    const ms = (key) => median(res[w][s.name].map((run) => run[key])).toFixed(1);
    line.push(
      `${s.name}: rps ratio ${range(rps)}, cpu ratio ${range(cpu)}, min cpu ${minCpu.toFixed(0)} µs, ` +
        `p50/p99 ${ms('latencyP50')}/${ms('latencyP99')} ms`,
    );
  }
  console.log(line.join('\n   '));
}
