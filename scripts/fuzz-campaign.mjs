#!/usr/bin/env node
// The long fuzzing campaign: the CI fuzz suites' properties with many more runs
// (FUZZ_RUNS HTTP runs, default 50,000: each sends a generated request and reads the
// state back, so >= 100,000 requests; WS_FUZZ_RUNS WebSocket connections, default
// 2,000, of up to 20 generated frames each). Needs a built server (npx nx build api).
// Results: scripts/results/fuzz-latest.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.FUZZ_RUNS ?? 50_000);
const wsRuns = Number(process.env.WS_FUZZ_RUNS ?? 2_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const started = Date.now();
const jest = spawnSync(
  'npx',
  ['jest', '-c', 'apps/api-reliability/jest.config.cts', '--testTimeout=3600000', 'http-fuzz', 'ws-fuzz'],
  {
    cwd: REPO,
    env: { ...process.env, FUZZ_RUNS: String(runs), WS_FUZZ_RUNS: String(wsRuns), FUZZ_SEED: String(seed) },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  },
);
const output = `${jest.stdout}${jest.stderr}`;
const summary = /Tests:\s+(.*)/.exec(output)?.[1] ?? 'no summary';
const result = {
  date: new Date().toISOString(),
  runs,
  wsRuns,
  seed,
  httpRequests: runs * 2,
  minutes: (Date.now() - started) / 60_000,
  passed: jest.status === 0,
  summary,
  failure: jest.status === 0 ? null : output.slice(output.indexOf('●'), output.indexOf('●') + 3000),
};
mkdirSync(join(REPO, 'scripts', 'results'), { recursive: true });
writeFileSync(join(REPO, 'scripts', 'results', 'fuzz-latest.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify({ ...result, failure: result.failure ? result.failure.slice(0, 1000) : null }, null, 2));
process.exit(jest.status ?? 1);
