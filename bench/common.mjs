// What every bench script shares: the workloads' bodies, pinning to a core, free ports,
// a process's CPU time, and starting a server and waiting until it answers.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTypeScript } from './typescript-import.mjs';

export const BENCH = dirname(fileURLToPath(import.meta.url));
export const REPO = join(BENCH, '..');

const TESTING = join(REPO, 'libs/testing/src/lib');
/** The test helpers of @zen/testing, not copies: the `n`th session id, a free loopback port, and the session id `run` printed. */
export const { oid } = await importTypeScript(join(TESTING, 'oids.ts'));
export const { freePort } = await importTypeScript(join(TESTING, 'free-port.ts'));
export const { sessionIdIn } = await importTypeScript(join(TESTING, 'session-line.ts'));
/** A 100-byte message, numbered. */
export const message = (i) => `bench entry ${String(i).padStart(8, '0')} ` + 'x'.repeat(78);
export const jsonBatch = (n) =>
  JSON.stringify({ entries: Array.from({ length: n }, (_, i) => ({ level: 'info', message: message(i) })) });
export const textBatch = (n) => Array.from({ length: n }, (_, i) => message(i)).join('\n');
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/** `[command, args]` running `args` on the given cores ('0', '1', '0,1') where taskset exists. */
export const pinned = existsSync('/usr/bin/taskset')
  ? (cores, args) => ['taskset', ['-c', String(cores), ...args]]
  : (_cores, args) => [args[0], args.slice(1)];

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds a process has used, from /proc. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * Starts `node file` pinned to `cores` on a free loopback port and waits until `readyPath`
 * answers (any status, unless `readyOk`). taskset execs node in place, so `pid` is the server's.
 */
export async function startServer(file, { cores = '0', env = {}, readyPath = '/health', readyOk = false } = {}) {
  const port = await freePort();
  const [command, args] = pinned(cores, ['node', file]);
  const child = spawn(command, args, {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await answering(`${url}${readyPath}`, child, readyOk);
  return {
    url,
    pid: child.pid,
    child,
    stop: () =>
      child.exitCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

/**
 * Waits until `url` answers. A loaded machine may take many seconds to start a server; one
 * that exits or never answers fails the run by name instead of letting a workload meet a
 * closed port.
 */
async function answering(url, child, ok, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${child.spawnargs.join(' ')} exited (${child.exitCode}) before answering`);
    try {
      const res = await fetch(url);
      if (!ok || res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${child.spawnargs.join(' ')} did not answer ${url} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** POSTs `body`; anything but a 2xx fails the run with the server's answer. */
export async function post(url, body, type = 'application/json') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

/**
 * One load run on `cores`, blocking until it ends: autocannon (bench/load.mjs), which can hold
 * a rate, or another load `script` of bench/ (wrk-load.mjs for the comparative workloads).
 */
export function load(spec, cores = '1', script = 'load.mjs') {
  const file = specFile(spec);
  const [command, args] = pinned(cores, ['node', join(BENCH, script), file]);
  try {
    return loadResult(execFileSync(command, args, { cwd: REPO, maxBuffer: 1 << 26 }).toString());
  } finally {
    rmSync(file, { force: true });
  }
}

/** One autocannon run (or another load `script` of bench/) on `cores`, without blocking (to run beside another). */
export function loadAsync(spec, cores = '1', script = 'load.mjs') {
  const file = specFile(spec);
  const [command, args] = pinned(cores, ['node', join(BENCH, script), file]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => {
      rmSync(file, { force: true });
      if (code === 0) resolve(loadResult(out));
      else reject(new Error(`load exited ${code}`));
    });
  });
}

/** The closed-loop load generator of the comparative workloads (bench/wrk-load.mjs says why). */
export const WRK = 'wrk-load.mjs';

let specs = 0;
/** The spec as a file for the load process to read; its caller removes it once the run ends. */
function specFile(spec) {
  mkdirSync(join(BENCH, '.build'), { recursive: true });
  const file = join(BENCH, '.build', `load-spec-${process.pid}-${specs++}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

function loadResult(out) {
  const result = JSON.parse(out.trim().split('\n').pop());
  result.valid = result.non2xx === 0 && result.errors === 0 && result.requests > 0;
  return result;
}

/**
 * Interleaved rounds on servers that are all up at once (`servers`: `{ name, url, pid }`),
 * for a machine others use too: each round runs every workload (`specs[w]`: a load spec
 * without url and duration) on every server in turn for `seconds`, the servers' order
 * rotating from round to round, so that neighbours slowing the machine down land on every
 * server alike and can be divided out round by round. The first `warmup` rounds are run but
 * not counted: a server's first round ran at a fraction of its speed (JIT, heap growth).
 * Answers `{ [workload]: { [server]: [{ ...load result, cpuUs }] } }`, one entry per counted
 * round (`cpuUs`: the server's CPU time per request, from /proc; `valid` as for `load`).
 * The load is wrk's: the servers, not the load generator, must be what runs out of CPU first.
 */
export function interleavedRounds({ servers, specs, workloads = Object.keys(specs), rounds, seconds, warmup = 1 }) {
  const results = {};
  for (let r = -warmup; r < rounds; r++) {
    const shift = ((r % servers.length) + servers.length) % servers.length;
    const order = [...servers.slice(shift), ...servers.slice(0, shift)];
    for (const w of workloads) {
      for (const s of order) {
        const before = cpuSeconds(s.pid);
        const run = load({ connections: 32, ...specs[w], url: s.url, duration: seconds }, '1', WRK);
        run.cpuUs = ((cpuSeconds(s.pid) - before) * 1e6) / Math.max(1, run.requests);
        if (r >= 0) ((results[w] ??= {})[s.name] ??= []).push(run);
      }
    }
    process.stderr.write(`round ${r} done, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}\n`);
  }
  return results;
}

export const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

/** The median and range of `figure(run) / figure(baseRun)` over rounds taken in the same moment. */
export function roundRatios(runs, baseRuns, figure = (run) => run.requestsPerSecond) {
  const ratios = runs.map((run, i) => figure(run) / figure(baseRuns[i]));
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: ratios.length };
}
