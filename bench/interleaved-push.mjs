#!/usr/bin/env node
// Interleaved A/B runs of the push path (`log` frames), as interleaved.mjs does for HTTP:
//   node bench/interleaved-push.mjs ROUNDS SUBSCRIBERS BATCHES name=path/to/main.js name=path/to/main.js
//   (run it pinned to core 1: taskset -c 1 node bench/interleaved-push.mjs …)
// Every server is up at once (pinned to core 0). Each round, on each server in turn, on a new
// session: SUBSCRIBERS WebSocket clients follow it from seq 0 while this process appends BATCHES
// batches of 100 entries, each after the last was answered (frames of ~100 entries); with
// CATCHUP=1 the batches are appended first and the clients connect after (a backlog, frames of
// WS_LOG_CHUNK entries). Figure: the server's CPU (from /proc) from the first append (CATCHUP: the
// first connection) until every client has the last entry, per entry appended; the report gives
// the median over the rounds and of the per-round ratios to the first server (an uncounted
// warm-up round first). /proc counts CPU in 10 ms ticks: keep a round's entries in the tens of
// thousands.
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { cpuSeconds, jsonBatch, median, oid, post, startServer } from './common.mjs';

const [rounds, subs, batches, ...named] = process.argv.slice(2);
const servers = [];
for (const spec of named) {
  const [name, file] = spec.split('=');
  const s = await startServer(resolve(file), { readyPath: `/sessions/${oid(0)}/log` });
  servers.push({ name, ...s, runs: [] });
}
const body = jsonBatch(100);
let n = 1;
async function round(server) {
  const id = oid(n++);
  await post(`${server.url}/sessions/${id}`, '{"appname":"bench"}');
  const catchup = process.env.CATCHUP === '1';
  if (catchup) for (let b = 0; b < Number(batches); b++) await post(`${server.url}/sessions/${id}/log`, body);
  const cpuFrom = cpuSeconds(server.pid);
  const tFrom = process.hrtime.bigint();
  const wsUrl = server.url.replace('http', 'ws') + '/sessions/ws';
  const clients = await Promise.all(
    Array.from(
      { length: Number(subs) },
      () =>
        new Promise((res, rej) => {
          const ws = new WebSocket(wsUrl);
          ws.last = 0;
          ws.on('message', (d) => {
            const s = d.toString();
            if (s.startsWith('{"event":"log"')) ws.last = JSON.parse(s).data.cursor;
          });
          ws.once('open', () => {
            ws.send(JSON.stringify({ event: 'subscribe-log', data: { id, cursor: 0 } }));
            res(ws);
          });
          ws.once('error', rej);
        }),
    ),
  );
  if (!catchup) await new Promise((r) => setTimeout(r, 300));
  const total = Number(batches) * 100;
  const before = catchup ? cpuFrom : cpuSeconds(server.pid);
  const t0 = catchup ? tFrom : process.hrtime.bigint();
  if (!catchup) for (let b = 0; b < Number(batches); b++) await post(`${server.url}/sessions/${id}/log`, body);
  while (clients.some((c) => c.last < total)) await new Promise((r) => setTimeout(r, 5));
  const cpu = cpuSeconds(server.pid) - before;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const c of clients) c.close();
  return { cpuUsPerEntry: (cpu * 1e6) / total, entriesPerSecond: total / wall };
}
for (const s of servers) await round(s);
for (let r = 0; r < Number(rounds); r++) {
  for (const s of servers) s.runs.push(await round(s));
}
const base = servers[0];
for (const s of servers) {
  const cpu = s.runs.map((x) => x.cpuUsPerEntry);
  const rate = s.runs.map((x) => x.entriesPerSecond);
  const ratios = s.runs.map((x, i) => base.runs[i].cpuUsPerEntry / x.cpuUsPerEntry);
  const rr = s.runs.map((x, i) => x.entriesPerSecond / base.runs[i].entriesPerSecond);
  console.log(
    `${s.name}: server CPU ${median(cpu).toFixed(2)} µs/entry [${Math.min(...cpu).toFixed(2)}-${Math.max(...cpu).toFixed(2)}], ` +
      `${Math.round(median(rate))} entries/s; ${base.name}'s CPU over this: ${median(ratios).toFixed(2)}x [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}], rate ${median(rr).toFixed(2)}x`,
  );
}
for (const s of servers) await s.stop();
process.exit(0);
