// Runs one closed-loop load with wrk (Debian's `wrk`, one thread, pinned to its own core by the
// caller) and prints the result as JSON, as load.mjs does for autocannon. The comparative
// workloads use it because autocannon became the limit before the servers did: answering 18 KB
// tail reads it used ~90 % of its core at ~11k requests/s (fresh memory for every read, ~20,000
// page faults a second), so the fastest server was measured against the load generator, not
// against the baselines (docs/performance.md, "The load generator", stop 29).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const specFile = process.argv[2];
const spec = JSON.parse(readFileSync(specFile, 'utf8'));
const script = `${specFile}.lua`;
writeFileSync(script, luaScript(spec));
try {
  const result = JSON.parse(wrk(spec, script).trim().split('\n').pop());
  const seconds = result.durationUs / 1e6;
  console.log(
    JSON.stringify({
      requestsPerSecond: result.requests / seconds,
      bytesPerSecond: result.bytes / seconds,
      requests: result.requests,
      latencyP50: result.p50Us / 1000,
      latencyP99: result.p99Us / 1000,
      non2xx: result.non2xx,
      errors: result.errors,
    }),
  );
} finally {
  rmSync(script, { force: true });
}

function wrk(spec, script) {
  const args = ['-t1', `-c${spec.connections}`, `-d${spec.duration}s`, '--timeout', '10s', '-s', script, spec.url];
  try {
    return execFileSync('wrk', args, { maxBuffer: 1 << 24 }).toString();
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('wrk is not installed: apt-get install wrk');
    throw error;
  }
}

/**
 * The requests, formatted once per run, taken in turn by every connection (as load.mjs
 * rotates over them); `done` prints the figures as one JSON line. wrk counts a status of 400
 * and above as a non-2xx answer (no workload here is answered 3xx).
 */
function luaScript({ method, headers = {}, bodies }) {
  const table = (entries) => `{${entries.map(([k, v]) => `[${lua(k)}]=${lua(v)}`).join(',')}}`;
  const requests = bodies.map(({ path, body }) => `{${lua(path)},${body === undefined ? 'nil' : lua(body)}}`);
  return `local list = {${requests.join(',\n')}}
local prepared = {}
local turn = 0
function init()
  for i, r in ipairs(list) do prepared[i] = wrk.format(${lua(method)}, r[1], ${table(Object.entries(headers))}, r[2]) end
end
function request()
  turn = turn % #prepared + 1
  return prepared[turn]
end
function done(summary, latency)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"bytes":%d,"p50Us":%d,"p99Us":%d,"non2xx":%d,"errors":%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
`;
}

/** A Lua string literal of the UTF-8 bytes of `text`: printable ASCII as is, every other byte as `\ddd`. */
function lua(text) {
  const bytes = Buffer.from(String(text), 'utf8');
  let out = '"';
  for (const byte of bytes) {
    out +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\${String(byte).padStart(3, '0')}`;
  }
  return out + '"';
}
