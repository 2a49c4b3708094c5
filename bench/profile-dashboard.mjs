// Where the dashboard's time goes in the merged view (issue 14): fills 20 sessions × N entries
// on the built API, opens them merged in Chromium, types the bench's filter keystrokes, then
// follows while 5,000 entries/s arrive, with a Chromium trace (main-thread time by kind, per
// frame) and a CPU profile (self time by function, through the build's source map when there
// is one). Not part of `npm run bench`: a tool for a profiling round.
//
//   node bench/profile-dashboard.mjs [--dashboard DIR] [--entries N] [--seconds S] [--top K] [--no-profile]
//
// DIR is a dashboard build (`dist/apps/dashboard/browser` by default); build it with
// `--source-map` for function names.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { REPO, sleep, startServer } from './common.mjs';
import { followMerged, keystrokeTimes, noteReceipts, startFrameClock } from './dashboard.mjs';

// Function names through the build's source map when `source-map` (a dependency of the build tools) is there.
const { SourceMapConsumer } = await import('source-map').catch(() => ({ SourceMapConsumer: null }));

const { values: args } = parseArgs({
  options: {
    dashboard: { type: 'string', default: join(REPO, 'dist/apps/dashboard/browser') },
    entries: { type: 'string', default: '10000' },
    sessions: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '8' },
    top: { type: 'string', default: '25' },
    'no-profile': { type: 'boolean', default: false },
    'no-trace': { type: 'boolean', default: false },
  },
});
// ---- trace ----

const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'v8',
  'blink.user_timing',
];

/** Render thread names that matter; the rest are grouped as other. */
const KIND = {
  scripting: [
    'FunctionCall',
    'EvaluateScript',
    'TimerFire',
    'FireAnimationFrame',
    'EventDispatch',
    'v8.compile',
    'V8.Execute',
    'RunMicrotasks',
    'v8.callFunction',
  ],
  gc: [
    'MinorGC',
    'MajorGC',
    'V8.GCScavenger',
    'V8.GCFinalizeMC',
    'BlinkGC.AtomicPhase',
    'V8.GCIncrementalMarking',
    'V8.GC_MC_BACKGROUND_MARKING',
  ],
  style: ['UpdateLayoutTree', 'RecalculateStyles', 'ParseHTML'],
  layout: ['Layout', 'UpdateLayerTree', 'PrePaint', 'IntersectionObserverController::computeIntersections'],
  paint: ['Paint', 'PaintImage', 'Layerize', 'CompositeLayers', 'Commit', 'RasterTask'],
};

const SESSIONS = Number(args.sessions);
const ENTRIES = Number(args.entries);

const server = await startServer(join(REPO, 'dist/apps/api/main.js'), {
  env: { DASHBOARD_DIR: args.dashboard },
});
const post = (path, body, type = 'application/json') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
try {
  const ids = Array.from({ length: SESSIONS }, (_, i) => `e${String(i).padStart(23, '0')}`);
  for (const [s, id] of ids.entries()) {
    await post(`/sessions/${id}`, JSON.stringify({ appname: `agent-${s}`, jobid: 'bench-merged' }));
    for (let i = 0; i < ENTRIES; i += 1000) {
      const lines = Array.from(
        { length: Math.min(1000, ENTRIES - i) },
        (_, k) =>
          `LogCook: Display: entry ${s}-${String(i + k).padStart(7, '0')} ${k % 7 ? 'compile' : 'shader'} ${'x'.repeat(40)}`,
      );
      await post(`/sessions/${id}/log`, lines.join('\n'), 'text/plain');
    }
  }
  const total = SESSIONS * ENTRIES;
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  await page.addInitScript(noteReceipts);
  await page.goto(`${server.url}/dashboard/sessions/${ids.join(',')}`);
  await page.getByTestId('log-count').getByText(`${total} / ${total} rows`).waitFor({ timeout: 120_000 });

  // ---- keystrokes: each one's time to two frames, and a profile of them all ----
  if (!args['no-profile']) await startProfile(cdp);
  if (!args['no-trace']) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const keys = (await keystrokeTimes(page, 'shader 3-00012')).map(Math.round);
  console.log(`keystrokes (ms, in order): ${keys.join(' ')}`);
  if (!args['no-trace']) longEvents(JSON.parse((await browser.stopTracing()).toString()));
  if (!args['no-profile']) await report('keystrokes', await stopProfile(cdp));
  await sleep(500);

  // ---- follow: frames, lag, trace and profile ----
  await startFrameClock(page);
  if (!args['no-trace']) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  if (!args['no-profile']) await startProfile(cdp);
  const { figures: follow } = await followMerged(page, ids, Number(args.seconds), post);
  const profile = args['no-profile'] ? null : await stopProfile(cdp);
  const trace = args['no-trace'] ? null : JSON.parse((await browser.stopTracing()).toString());
  const frames = (await page.evaluate(() => ((window.__stopFrames = true), window.__frames.slice(1)))).sort(
    (a, b) => a - b,
  );
  const pct = (p) => frames[Math.min(frames.length - 1, Math.floor((p / 100) * frames.length))];
  const fmt = (ms) => ms.toFixed(0);
  console.log(
    `follow: ${Math.round(follow.followEntriesPerSecond)} entries/s, ${frames.length} frames, median/p95 ${pct(50).toFixed(1)}/${pct(95).toFixed(1)} ms, ` +
      `${((100 * frames.filter((ms) => ms > 1000 / 30).length) / frames.length).toFixed(1)} % over 33 ms; ` +
      `lag ${fmt(follow.followLagFirstHalf)} -> ${fmt(follow.followLagSecondHalf)} entries; ` +
      `received but not shown for median/max ${fmt(follow.followWaitMedianMs)}/${fmt(follow.followWaitMaxMs)} ms`,
  );
  if (trace) summariseTrace(trace, frames.length);
  if (profile) await report('follow', profile);
} finally {
  await browser.close();
  await server.stop();
}

// ---- CPU profile ----

async function startProfile(cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}

async function stopProfile(cdp) {
  const { profile } = await cdp.send('Profiler.stop');
  return profile;
}

/** Self time by function (source-mapped when the build has maps), and total time by the app's own functions. */
async function report(label, profile) {
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const totalSamples = profile.samples.length;
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, totalSamples);
  const maps = await sourceMaps();
  const byName = new Map();
  for (const node of profile.nodes) {
    const samples = counts.get(node.id) ?? 0;
    if (samples === 0) continue;
    const name = await frameName(node.callFrame, maps);
    byName.set(name, (byName.get(name) ?? 0) + samples);
  }
  const idle = byName.get('(idle) :0') ?? 0;
  console.log(
    `\n[${label}] CPU profile: ${((totalSamples - idle) * msPerSample).toFixed(0)} ms busy of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms; self time:`,
  );
  for (const [name, samples] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top)))
    console.log(`  ${(samples * msPerSample).toFixed(1).padStart(8)} ms  ${name}`);
}

async function sourceMaps() {
  const maps = new Map();
  if (!SourceMapConsumer || !existsSync(args.dashboard)) return maps;
  for (const file of readdirSync(args.dashboard).filter((name) => name.endsWith('.js.map')))
    maps.set(file.replace(/\.map$/, ''), await new SourceMapConsumer(readFileSync(join(args.dashboard, file), 'utf8')));
  return maps;
}

async function frameName({ functionName, url, lineNumber, columnNumber }, maps) {
  const file = url.split('/').pop();
  const map = maps.get(file);
  if (map) {
    const at = map.originalPositionFor({ line: lineNumber + 1, column: columnNumber });
    if (at.source) {
      const source = at.source.replace(/^.*node_modules\//, '~/').replace(/^.*apps\/dashboard\/src\/app\//, '');
      return `${at.name ?? functionName ?? '(anonymous)'} ${source}:${at.line}`;
    }
  }
  return functionName ? `${functionName} ${file}:${lineNumber + 1}` : functionName || `(anonymous) ${file}`;
}

/** The main thread's events of 5 ms or more, in order, with a layout's object counts. */
function longEvents({ traceEvents }) {
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const long = traceEvents
    .filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur >= 5000)
    .sort((a, b) => a.ts - b.ts);
  const start = long[0]?.ts ?? 0;
  console.log('\nkeystroke trace, main-thread events of 5 ms or more:');
  for (const e of long) {
    const detail = e.args?.beginData?.dirtyObjects
      ? ` (${e.args.beginData.dirtyObjects}/${e.args.beginData.totalObjects} objects)`
      : e.args?.data?.functionName
        ? ` ${e.args.data.functionName}`
        : '';
    console.log(
      `  +${((e.ts - start) / 1000).toFixed(0).padStart(5)} ms  ${(e.dur / 1000).toFixed(1).padStart(6)} ms  ${e.name}${detail}`,
    );
  }
}

/** Main-thread time (exclusive, by event) over the trace, in total and per frame. */
function summariseTrace({ traceEvents }, frameCount) {
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return console.log('no renderer main thread in the trace');
  const events = traceEvents
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number')
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Exclusive time: each event's duration less its children's (nested X events on one thread).
  const self = new Map();
  const stack = [];
  let busy = 0;
  for (const event of events) {
    while (stack.length > 0 && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= event.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - event.dur);
    else busy += event.dur;
    self.set(event.name, (self.get(event.name) ?? 0) + event.dur);
    stack.push(event);
  }
  const kindOf = (name) => Object.entries(KIND).find(([, names]) => names.includes(name))?.[0] ?? 'other';
  const byKind = {};
  for (const [name, us] of self) byKind[kindOf(name)] = (byKind[kindOf(name)] ?? 0) + us;
  const start = events[0]?.ts ?? 0;
  const end = Math.max(...events.map((e) => e.ts + e.dur));
  const perFrame = (us) => (us / 1000 / Math.max(1, frameCount)).toFixed(2);
  console.log(
    `\ntrace: main thread busy ${(busy / 1000).toFixed(0)} ms of ${((end - start) / 1000).toFixed(0)} ms; per frame ${perFrame(busy)} ms:`,
  );
  for (const [kind, us] of Object.entries(byKind).sort((a, b) => b[1] - a[1]))
    console.log(`  ${kind.padEnd(10)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${perFrame(us)} ms/frame`);
  console.log('  top events (self):');
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`    ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
}
