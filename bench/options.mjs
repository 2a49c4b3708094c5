// What a bench run measures and at what scale: the quick run (as the test suite runs it) or the
// full one, and the workloads BENCH_ONLY names.
import { join } from 'node:path';
import { REPO } from './common.mjs';

export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
export const SECONDS = QUICK ? 1 : 8;
export const SCALE = QUICK
  ? { sessions: 8, fillSessions: 10, listSessions: 500, listClients: 10, fanoutClients: 10, listSeconds: 2 }
  : { sessions: 64, fillSessions: 200, listSessions: 10_000, listClients: 100, fanoutClients: 100, listSeconds: 10 };
/** The sessions feed: dashboards watching many sessions while 1 % of them change per second. */
export const FEED = QUICK
  ? { sessions: 500, dashboards: 10, seconds: 2, warmupMs: 500, pairs: 1 }
  : { sessions: 10_000, dashboards: 100, seconds: 8, warmupMs: 2000, pairs: 5 };

/** Which workloads to run: all, or those named in BENCH_ONLY (comma-separated), for spot measurements. */
export const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
export const wanted = (name) => !ONLY || ONLY.has(name);
export const skipped = { valid: true, skipped: true };

/** The built API; BENCH_API names another build (a copy kept to measure while the code changes). */
export const API_MAIN = process.env.BENCH_API ? join(REPO, process.env.BENCH_API) : join(REPO, 'dist/apps/api/main.js');
