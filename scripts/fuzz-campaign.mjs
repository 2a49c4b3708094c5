#!/usr/bin/env node
// The long fuzzing campaign: the CI fuzz suites' properties with many more runs
// (FUZZ_RUNS HTTP runs, default 50,000: each sends a generated request and reads the
// state back, so >= 100,000 requests; WS_FUZZ_RUNS WebSocket connections, default
// 2,000, of up to 20 generated frames each). Needs a built server (npx nx build api).
// With LOG_STORE=redis (and REDIS_URL), each suite runs on its own REDIS_KEY_PREFIX: the
// HTTP properties read the whole store back, which the other suite's sessions would change.
// Results: scripts/results/fuzz-latest.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['http-fuzz', 'ws-fuzz'];
const runs = Number(process.env.FUZZ_RUNS ?? 50_000);
const wsRuns = Number(process.env.WS_FUZZ_RUNS ?? 2_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const prefix = process.env.REDIS_KEY_PREFIX ?? 'zen-sessions:';
const started = Date.now();

/** Runs one suite's jest: its exit status and output. */
function runSuite(suite) {
  const jest = spawnSync(
    'npx',
    ['jest', '-c', 'apps/api-reliability/jest.config.cts', '--testTimeout=3600000', suite],
    {
      cwd: REPO,
      env: {
        ...process.env,
        FUZZ_RUNS: String(runs),
        WS_FUZZ_RUNS: String(wsRuns),
        FUZZ_SEED: String(seed),
        REDIS_KEY_PREFIX: `${prefix}fuzz-${seed}-${suite}:`,
      },
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  return { suite, status: jest.status, output: `${jest.stdout}${jest.stderr}` };
}

const results = SUITES.map(runSuite);
const failed = results.find((suite) => suite.status !== 0);
const result = {
  date: new Date().toISOString(),
  logStore: process.env.LOG_STORE ?? 'memory',
  runs,
  wsRuns,
  seed,
  httpRequests: runs * 2,
  minutes: (Date.now() - started) / 60_000,
  passed: failed === undefined,
  summary: results.map(({ suite, output }) => `${suite}: ${/Tests:\s+(.*)/.exec(output)?.[1] ?? 'no summary'}`),
  failure: failed ? failed.output.slice(failed.output.indexOf('●'), failed.output.indexOf('●') + 3000) : null,
};
mkdirSync(join(REPO, 'scripts', 'results'), { recursive: true });
writeFileSync(join(REPO, 'scripts', 'results', 'fuzz-latest.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify({ ...result, failure: result.failure ? result.failure.slice(0, 1000) : null }, null, 2));
process.exit(failed ? (failed.status ?? 1) : 0);
