// Runs one autocannon load (pinned to its own core by run.mjs) and prints the result as JSON.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

// The spec comes as a file: with its request bodies it is too big for argv.
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const bodies = spec.bodies;
let next = 0;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  overallRate: spec.rate,
  pipelining: 1,
  requests: [
    {
      method: spec.method,
      headers: spec.headers,
      // Rotate over the prepared requests (sessions, cursors) so every connection spreads its load.
      setupRequest: (request) => {
        const pick = bodies[next++ % bodies.length];
        return { ...request, path: pick.path, body: pick.body };
      },
    },
  ],
});
console.log(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    bytesPerSecond: result.throughput.average,
    requests: result.requests.total,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }),
);
