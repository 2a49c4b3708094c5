// The servers under test and the clients that watch them: the API or a baseline pinned to core
// 0, its sessions, its memory, and the subscribers process on core 1 with the server's CPU
// while it listens.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, REPO, cpuSeconds, oid, pinned, post, sleep, startServer as startNode } from './common.mjs';
import { API_MAIN } from './options.mjs';

/** Starts `api`, `bare` or `naive` on core 0 and waits until it answers. */
export function startServer(kind, env = {}) {
  const file = kind === 'api' ? API_MAIN : join(BENCH, `.build/${kind}-server.js`);
  return startNode(file, { cores: '0', env, readyPath: kind === 'api' ? '/health' : `/sessions/${oid(0)}/log` });
}

/** The subscribers process on core 1; `onReady` runs when it prints `ready` (the feed workload does). */
export function subscribers(spec, onReady = undefined) {
  const [command, args] = pinned(1, ['node', join(BENCH, 'subscribers.mjs'), JSON.stringify(spec)]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (onReady && /^ready$/m.test(out)) {
        onReady();
        onReady = undefined;
      }
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`subscribers exited ${code}`)),
    );
  });
}

/**
 * The subscribers process with `spec`; from when it prints `ready` (its clients connected and
 * warmed up), the server's CPU over spec.durationMs. Answers what the subscribers counted and
 * `cpuSeconds`, `cpuPercentOfCore` of the server over that window.
 */
export async function serverCpuWhileSubscribed(pid, spec) {
  const [counted] = await serversCpuInOneWindow([{ pid, spec }], spec.durationMs);
  return counted;
}

/**
 * Several subscribers processes at once, each watching its own server (`watched`: its pid and its
 * subscribers' spec); from when the last of them prints `ready`, every server's CPU over the same
 * `windowMs`. Each spec's durationMs should outlast the window by the time the others took to get
 * ready: `aligned` says whether it did (its changes and counts then covered the whole window).
 */
export async function serversCpuInOneWindow(watched, windowMs) {
  const readyAt = [];
  let allReady;
  const ready = new Promise((resolve) => (allReady = resolve));
  const counting = Promise.all(
    watched.map(({ spec }, i) =>
      subscribers(spec, () => {
        readyAt[i] = performance.now();
        if (readyAt.filter((at) => at !== undefined).length === watched.length) allReady();
      }),
    ),
  );
  await Promise.race([
    ready,
    counting.then(() => Promise.reject(new Error('subscribers ended before all were ready'))),
  ]);
  const before = watched.map(({ pid }) => cpuSeconds(pid));
  await sleep(windowMs);
  const cpu = watched.map(({ pid }, i) => cpuSeconds(pid) - before[i]);
  const readySpread = Math.max(...readyAt) - Math.min(...readyAt);
  return (await counting).map((counts, i) => ({
    ...counts,
    cpuSeconds: cpu[i],
    cpuPercentOfCore: (100 * cpu[i] * 1000) / windowMs,
    aligned: readySpread + windowMs <= watched[i].spec.durationMs,
  }));
}

export async function createSessions(server, count, offset = 0) {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        post(`${server.url}/sessions/${oid(offset + i + j + 1)}`, '{"appname":"bench"}'),
      ),
    );
  }
}

export function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}
