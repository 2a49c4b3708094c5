// One client timing sequential GETs of one URL (`warmup` not counted, then `samples`) over one
// kept-alive node:http connection; prints the latencies' p50/p99 in ms as one JSON line. Run by
// bench/common.mjs's loadAsync on the load generators' core: a latency timed in the bench's own
// process took that process's garbage collections with it (its heap holds every earlier result).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { percentile } from './common.mjs';

const { url, warmup, samples, entries } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get() {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const parts = [];
        res.on('data', (part) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(parts).toString() }));
      })
      .on('error', reject);
  });
}

const times = [];
let non2xx = 0;
for (let i = 0; i < warmup + samples; i++) {
  const start = performance.now();
  const { status, text } = await get();
  const took = performance.now() - start;
  if (status !== 200 || (entries !== undefined && JSON.parse(text).entries.length !== entries)) non2xx++;
  if (i >= warmup) times.push(took);
}
agent.destroy();
console.log(
  JSON.stringify({
    requests: times.length,
    non2xx,
    errors: 0,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
  }),
);
