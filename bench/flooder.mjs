// A client appending as fast as it is answered, as a real client does: on a 429 it waits the
// Retry-After the server sent before its next request on that connection (autocannon would
// send the next one at once). Runs pinned to its own core like load.mjs and prints the result
// as JSON. The spec comes as a file: { url, path, body, contentType, connections, duration }.
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
const headers = { 'content-type': spec.contentType, 'content-length': Buffer.byteLength(spec.body) };
const counts = { accepted: 0, refused: 0, errors: 0, waitedMs: 0 };
const end = Date.now() + spec.duration * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function send() {
  return new Promise((resolve) => {
    const req = request(`${spec.url}${spec.path}`, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, retryAfter: Number(res.headers['retry-after']) }));
    });
    req.on('error', () => resolve({ status: 0 }));
    req.end(spec.body);
  });
}

async function connection() {
  while (Date.now() < end) {
    const { status, retryAfter } = await send();
    if (status >= 200 && status < 300) counts.accepted++;
    else if (status === 429) {
      counts.refused++;
      const waitMs = Math.min((retryAfter || 1) * 1000, end - Date.now());
      counts.waitedMs += Math.max(0, waitMs);
      await sleep(waitMs);
    } else counts.errors++;
  }
}

await Promise.all(Array.from({ length: spec.connections }, connection));
agent.destroy();
console.log(
  JSON.stringify({
    requestsPerSecond: (counts.accepted + counts.refused) / spec.duration,
    acceptedPerSecond: counts.accepted / spec.duration,
    requests: counts.accepted + counts.refused,
    non2xx: counts.refused,
    refused: counts.refused,
    waitedMs: counts.waitedMs,
    errors: counts.errors,
    latencyP50: 0,
    latencyP99: 0,
  }),
);
