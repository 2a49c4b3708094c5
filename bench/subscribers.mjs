// WebSocket clients for the live-update workloads (pinned to the load core by run.mjs).
//   fanout: N clients follow one session; probes appended to it every few ms give the
//           append-to-receipt latency (sender and receivers share this process's clock),
//           after a warm-up whose probes are not counted.
//   list:   N clients just receive the periodic sessions push; prints "ready" once every client has
//           its connect-time listing and the warm-up is over, then counts bytes for `durationMs`.
//   feed:   N dashboards in `feedMode` (delta: subscribe-sessions delta; full: the periodic
//           list) while this process appends to `changesPerSecond` sessions a second; prints
//           "ready" once every dashboard has its first listing and the warm-up is over, then
//           counts for `durationMs`.
import WebSocket from 'ws';
import { oid } from './common.mjs';

const spec = JSON.parse(process.argv[2]);
/** Probes counted in a fanout run however slow the appends, within MIN_PROBES_GRACE_MS past its window. */
const MIN_PROBES = 5;
const MIN_PROBES_GRACE_MS = 30_000;
const clients = [];

function open(url, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    if (onMessage) ws.on('message', (data) => onMessage(ws, data));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

if (spec.mode !== 'feed') for (let i = 0; i < spec.clients; i++) clients.push(await open(spec.wsUrl));

if (spec.mode === 'feed') {
  const counts = { bytes: 0, listings: 0, deltas: 0, changes: 0, changeErrors: 0 };
  // Changes are counted when issued in the measuring window (answers may still be on the way
  // at its end); any that fail are counted as errors.
  let measuring = false;
  let listed;
  const allListed = new Promise((resolve) => (listed = resolve));
  let waiting = spec.clients;
  if (waiting === 0) listed();
  // A delta dashboard subscribes on its connect-time listing and is ready at its first delta
  // (its baseline came before it; a listing crossing the subscribe may not be the baseline).
  // A full one is ready at its first listing.
  const ready = new Set();
  const subscribed = new Set();
  const markReady = (ws) => {
    if (ready.has(ws)) return;
    ready.add(ws);
    if (--waiting === 0) listed();
  };
  const onMessage = (ws, data) => {
    counts.bytes += data.length;
    // '{"event":"sessions' is 18 characters: a '-' follows in sessions-delta.
    if (data[18] === 0x2d) {
      counts.deltas++;
      return markReady(ws);
    }
    counts.listings++;
    if (spec.feedMode !== 'delta') return markReady(ws);
    if (!subscribed.has(ws)) {
      subscribed.add(ws);
      ws.send(JSON.stringify({ event: 'subscribe-sessions', data: { mode: 'delta' } }));
    }
  };
  for (let i = 0; i < spec.clients; i++) clients.push(await open(spec.wsUrl, onMessage));
  // Changes at a steady rate: each 10 ms, as many appends as are due by then, to the next sessions.
  let started = performance.now();
  let sent = 0;
  const changer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * spec.changesPerSecond);
    for (; sent < due; sent++) {
      if (measuring) counts.changes++;
      const id = oid(spec.firstSession + ((sent * 7919) % spec.sessionCount));
      fetch(`${spec.url}/sessions/${id}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: `change ${sent}`,
      })
        .then((res) => res.ok || counts.changeErrors++)
        .catch(() => counts.changeErrors++);
    }
  }, 10);
  await allListed;
  await new Promise((resolve) => setTimeout(resolve, spec.warmupMs));
  // The rate restarts here: a backlog from connecting (baselines) would be a burst in the window.
  started = performance.now();
  sent = 0;
  measuring = true;
  const zero = { ...counts, changes: 0 };
  console.log('ready');
  await new Promise((resolve) => setTimeout(resolve, spec.durationMs));
  clearInterval(changer);
  const measured = Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, value - zero[key]]));
  console.log(JSON.stringify(measured));
} else if (spec.mode === 'list') {
  // Counted from "ready" on: once every client has its connect-time listing (the connects are not the push).
  let bytes = 0;
  let frames = 0;
  let listed;
  const allListed = new Promise((resolve) => (listed = resolve));
  const first = new Set();
  for (const ws of clients) {
    ws.on('message', (data) => {
      bytes += data.length;
      frames++;
      if (!first.has(ws) && first.add(ws).size === clients.length) listed();
    });
  }
  await allListed;
  await new Promise((resolve) => setTimeout(resolve, spec.warmupMs ?? 0));
  [bytes, frames] = [0, 0];
  console.log('ready');
  await new Promise((resolve) => setTimeout(resolve, spec.durationMs));
  console.log(JSON.stringify({ bytes, frames }));
} else {
  const sentAt = new Map();
  const latencies = [];
  for (const ws of clients) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.includes('probe:')) return;
      const now = performance.now();
      for (const found of text.matchAll(/probe:(\d+)/g)) {
        const sent = sentAt.get(Number(found[1]));
        if (sent !== undefined) latencies.push(now - sent);
      }
    });
    ws.send(JSON.stringify({ event: 'subscribe-log', data: { id: spec.sessionId, cursor: spec.cursor } }));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Probes of the warm-up are sent (they warm the append and fan-out paths) but not counted.
  const measureFrom = performance.now() + (spec.warmupMs ?? 0);
  const deadline = measureFrom + spec.durationMs;
  // On a loaded machine (two CI runs side by side) one append can take longer than the quick
  // bench's whole window, which then counted no probe and was reported invalid: a few are
  // always counted, past the deadline if need be, up to a hard limit.
  const giveUpAt = deadline + MIN_PROBES_GRACE_MS;
  let probe = 0;
  while (performance.now() < deadline || (probe < MIN_PROBES && performance.now() < giveUpAt)) {
    const now = performance.now();
    let body = 'warm-up';
    if (now >= measureFrom) {
      const id = probe++;
      sentAt.set(id, now);
      body = `probe:${id}`;
    }
    await fetch(spec.appendUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    await new Promise((resolve) => setTimeout(resolve, spec.probeEveryMs));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(
    JSON.stringify({
      probes: probe,
      receipts: latencies.length,
      expected: probe * spec.clients,
      p50: at(0.5),
      p99: at(0.99),
    }),
  );
}
for (const ws of clients) ws.terminate();
