// WebSocket clients for the live-update workloads (pinned to the load core by run.mjs).
//   fanout: N clients follow one session; probes appended to it every few ms give the
//           append-to-receipt latency (sender and receivers share this process's clock),
//           after a warm-up whose probes are not counted.
//   list:   N clients just receive the periodic sessions push, counting bytes.
import WebSocket from 'ws';

const spec = JSON.parse(process.argv[2]);
const clients = [];

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

for (let i = 0; i < spec.clients; i++) clients.push(await open(spec.wsUrl));

if (spec.mode === 'list') {
  let bytes = 0;
  let frames = 0;
  for (const ws of clients) ws.on('message', (data) => ((bytes += data.length), frames++));
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
  let probe = 0;
  while (performance.now() < deadline) {
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
