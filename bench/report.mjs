// The bench's report: one table row per figure, the API beside its baselines and the target,
// and the list of runs that were not valid (errors or non-2xx answers).
import { FILTER_WORD } from './http-rounds.mjs';
import { wanted } from './options.mjs';
import { redisRows } from './redis.mjs';

export const fmt = (n, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : String(n);

/** Prints the table of every figure in `results` (what run.mjs measured, as it writes them). */
export function printTable(results) {
  const { ingestRatios: ingested, readRatios: read, bare, naive, api } = results;
  const { memoryApi, memoryBare, memoryNaive, memoryApiCook, memoryBareCook, memoryNaiveCook } = results;
  const { isolated, live, push, feed, ui, merged, client, redis } = results;
  const x = (a, b) => (a && b ? fmt(a / b, 2) + 'x' : '');
  /** A figure on the three servers, with the API's ratio to each baseline. */
  const compared = (label, figure, target, digits = 0) => [
    label,
    fmt(figure(api), digits),
    fmt(figure(bare), digits),
    fmt(figure(naive), digits),
    x(figure(api), figure(bare)),
    x(figure(api), figure(naive)),
    target,
  ];
  /** A median per-round ratio with its range. */
  const spread = (ratio) => (ratio ? `${fmt(ratio.median, 2)}x [${fmt(ratio.min, 2)}-${fmt(ratio.max, 2)}]` : '');
  /** A workload's per-round ratios, if it ran in interleaved rounds (ingest, reads). */
  const ratiosOf = (workload) => ingested[workload] ?? read[workload];
  /**
   * A figure taken in interleaved rounds: each server's median over the rounds, and as ratios
   * the medians of the API's per-round ratios with their range, of requests/s or (`bytes`, the
   * downloads) of bytes/s.
   */
  const roundRow = (label, workload, figure, target, { digits = 0, bytes = false } = {}) => {
    const row = compared(label, figure, target, digits);
    const ratios = ratiosOf(workload);
    if (!ratios) return row;
    const [toBare, toNaive] = bytes ? [ratios.bytesBare, ratios.bytesNaive] : [ratios.bare, ratios.naive];
    return [...row.slice(0, 4), spread(toBare), spread(toNaive), target];
  };
  /** The server's CPU time per request: its ratios are the baseline's time over the API's (above 1: the API costs less). */
  const cpuRow = (label, workload) => {
    const ratios = ratiosOf(workload);
    const [, ...cells] = compared(label, (r) => r[workload]?.cpuUs, '', 1);
    return ratios
      ? [label, ...cells.slice(0, 3), spread(ratios.cpuBare), spread(ratios.cpuNaive), '']
      : [label, ...cells];
  };
  /**
   * p50/p99 latencies (for workloads run in rounds, the medians of the rounds' figures); with
   * `requestRatios`, the ratio columns give the per-round ratios of requests/s.
   */
  const latencies = (label, workload, target = '', requestRatios = false) => {
    const ratios = requestRatios && ratiosOf(workload);
    return [
      label,
      ...[api, bare, naive].map((run) =>
        // wrk times in microseconds: a tenth of a millisecond is what the targets need.
        run[workload] ? `${fmt(run[workload].latencyP50, 1)}/${fmt(run[workload].latencyP99, 1)}` : '',
      ),
      ratios ? `req/s ${spread(ratios.bare)}` : '',
      ratios ? `req/s ${spread(ratios.naive)}` : '',
      target,
    ];
  };
  const mb = (run, workload) => run[workload] && run[workload].bytesPerSecond / 1e6;
  const note = (label, value, detail, target) => [label, value, '', '', detail, '', target];
  const memoryRow = (label, runs, target) => [
    label,
    ...runs.map((run) => (run.skipped ? '' : fmt(run.bytesPerEntry, 1))),
    runs[0].skipped
      ? ''
      : `RSS slope over the fill's last 3/4; whole fill, with the heap's growth: ${runs.map((run) => fmt(run.wholeFillBytesPerEntry, 1)).join('/')}`,
    '',
    target,
  ];
  const rows = [
    roundRow('JSON batch ingest, entries/s', 'jsonBatch', (r) => r.jsonBatch?.entriesPerSecond, '>= 0.7x bare'),
    roundRow('text ingest, entries/s', 'textBatch', (r) => r.textBatch?.entriesPerSecond, '>= 0.8x bare'),
    roundRow('single-entry appends, requests/s', 'single', (r) => r.single?.requestsPerSecond, '>= 0.77x bare'),
    cpuRow('JSON batch ingest, server CPU µs per request', 'jsonBatch'),
    cpuRow('text ingest, server CPU µs per request', 'textBatch'),
    cpuRow('single-entry appends, server CPU µs per request', 'single'),
    roundRow('cursor tail read, requests/s', 'tailLoaded', (r) => r.tailLoaded?.requestsPerSecond, '>= 1.5x naive'),
    latencies('cursor tail read p50/p99 loaded, ms', 'tailLoaded', 'p99 <= 10 ms'),
    latencies('cursor tail read p50/p99 unloaded, ms', 'tailUnloaded', 'p99 <= 5 ms', true),
    roundRow(
      'offset page read (middle of 10,000), requests/s',
      'offsetMiddle',
      (r) => r.offsetMiddle?.requestsPerSecond,
      '>= 1.5x naive',
    ),
    roundRow(
      `filtered read q=${FILTER_WORD} (10,000 entries), requests/s`,
      'filteredLoaded',
      (r) => r.filteredLoaded?.requestsPerSecond,
      '>= 3x naive',
    ),
    latencies('filtered read p50/p99 unloaded, ms', 'filteredUnloaded', 'p50 <= 2 ms', true),
    compared('first NDJSON download of each log (one by one), MB/s', (r) => mb(r, 'firstDownload'), '', 1),
    roundRow('NDJSON download of a full log, MB/s', 'ndjsonDownload', (r) => mb(r, 'ndjsonDownload'), '>= 200 MB/s', {
      digits: 1,
      bytes: true,
    }),
    roundRow('text download of a full log, MB/s', 'textDownload', (r) => mb(r, 'textDownload'), '>= 200 MB/s', {
      digits: 1,
      bytes: true,
    }),
    cpuRow('cursor tail read (loaded), server CPU µs per request', 'tailLoaded'),
    cpuRow('offset page read, server CPU µs per request', 'offsetMiddle'),
    cpuRow('filtered read (loaded), server CPU µs per request', 'filteredLoaded'),
    cpuRow('NDJSON download, server CPU µs per request', 'ndjsonDownload'),
    cpuRow('text download, server CPU µs per request', 'textDownload'),
    memoryRow('RSS per held entry (100-byte message), bytes', [memoryApi, memoryBare, memoryNaive], '<= 125'),
    memoryRow(
      `RSS per held entry (cook log, ${fmt(memoryApiCook.messageBytesPerEntry ?? 0)}-byte messages), bytes`,
      [memoryApiCook, memoryBareCook, memoryNaiveCook],
      '<= 60',
    ),
    isolated.skipped
      ? note('isolation', '', 'skipped', '')
      : note(
          `isolation: ${isolated.others} sessions' single appends while one floods, p99 ms (limit off/on)`,
          `${fmt(isolated.off.othersP99, 1)}/${fmt(isolated.on.othersP99, 1)}`,
          `alone ${fmt(isolated.alone.othersP99, 1)} ms; throughput ${spread(isolated.off.ofAlone)}/${spread(isolated.on.ofAlone)} of alone (medians of ${isolated.rounds} rounds)`,
          'p99 <= 5 ms, >= 0.7x',
        ),
    live.skipped
      ? note('append -> WebSocket', '', 'skipped', '')
      : note(
          `append -> WebSocket, ${live.expected / (live.probes || 1)} subscribers, p50/p99 ms`,
          `${fmt(live.p50, 1)}/${fmt(live.p99, 1)}`,
          `while ingesting ${fmt(live.ingestEntriesPerSecond)} entries/s`,
          'p99 <= 20 ms',
        ),
    push.skipped
      ? note('sessions push', '', 'skipped', '')
      : note(
          `sessions push, ${push.sessions} sessions x ${push.clients} clients`,
          `${fmt(push.cpuPercentOfCore, 1)} % of a core`,
          `${fmt(push.cpuMsPerTick, 1)} ms CPU per tick, ${fmt(push.bytesPerTickPerClient / 1024)} KiB per client, ${fmt(push.listingsPerClientPerTick, 2)} lists per client per tick`,
          '<= 10 %',
        ),
    ui.skipped
      ? note('dashboard', '', 'skipped', '')
      : note(
          `dashboard: filter keystroke, ${ui.entries} entries, median/max ms`,
          `${fmt(ui.keystrokeMedianMs, 1)}/${fmt(ui.keystrokeMaxMs, 1)}`,
          'input to painted frame, Chromium',
          '<= 50 ms',
        ),
    ui.skipped
      ? note('dashboard follow', '', 'skipped', '')
      : note(
          `dashboard: follow at ${fmt(ui.followEntriesPerSecond)} entries/s`,
          `lag ${fmt(ui.followLagFirstHalf)} -> ${fmt(ui.followLagSecondHalf)} entries`,
          `received -> shown median/max ${fmt(ui.followWaitMedianMs)}/${fmt(ui.followWaitMaxMs)} ms; caught up ${fmt(ui.followCatchUpMs)} ms after the stream stopped`,
          'no growing lag',
        ),
    feed.skipped
      ? note('sessions feed', '', 'skipped', '')
      : note(
          `sessions feed, ${feed.sessions} sessions x ${feed.dashboards} dashboards, delta mode`,
          `${fmt(feed.deltaCpuPercentOfCore, 2)} % of a core [${feed.deltaCpuPercentRounds.map((x) => fmt(x, 2)).join(', ')}]`,
          `${fmt(feed.changesPerSecond)} changes/s, ${fmt(feed.deltaFramesPerSecond, 1)} deltas/s of ${fmt(feed.deltaFrameBytes)} B to each; ` +
            `a bare ws server sending the same: ${fmt(feed.bareWsCpuPercentOfCore, 2)} %; ` +
            `full mode ${fmt(feed.fullCpuPercentOfCore, 1)} % (${fmt(feed.fullListingsPerSecond, 1)} lists/s each); changes alone ${fmt(feed.changesAlone.cpuPercentOfCore, 1)} %`,
          '<= 1 %',
        ),
    merged.skipped
      ? note('dashboard merged', '', 'skipped', '')
      : note(
          `dashboard merged ${merged.sessions} sessions: keystroke, ${merged.entries} entries, median/max ms`,
          `${fmt(merged.keystrokeMedianMs, 1)}/${fmt(merged.keystrokeMaxMs, 1)}`,
          'input to painted frame, Chromium',
          '<= 50 ms',
        ),
    merged.skipped
      ? note('dashboard merged follow', '', 'skipped', '')
      : note(
          `dashboard merged: follow at ${fmt(merged.followEntriesPerSecond)} entries/s`,
          `lag ${fmt(merged.followLagFirstHalf)} -> ${fmt(merged.followLagSecondHalf)} entries`,
          `frames median/p95 ${fmt(merged.frameMedianMs, 1)}/${fmt(merged.frameP95Ms, 1)} ms, ${fmt(merged.framesOver33MsPercent, 1)} % over 33 ms; received -> shown median/max ${fmt(merged.followWaitMedianMs)}/${fmt(merged.followWaitMaxMs)} ms; caught up ${fmt(merged.followCatchUpMs)} ms after`,
          'last row within a frame, >= 30 fps',
        ),
    client.startUp.skipped
      ? note('zen-sessions --version', '', 'skipped', '')
      : note(
          'zen-sessions --version, median wall / CPU, s',
          `${fmt(client.startUp.versionWall, 2)} / ${fmt(client.startUp.versionCpu, 2)}`,
          `bare node -e 0 ${fmt(client.startUp.bareWall, 2)} / ${fmt(client.startUp.bareCpu, 2)}; the CLI adds ${fmt(client.startUp.addedCpu, 2)} s of CPU`,
          'well under 0.3 s',
        ),
    client.run.skipped
      ? note('zen-sessions run', '', 'skipped', '')
      : note(
          `zen-sessions run --quiet, ${fmt(client.run.lines)} lines of 100 bytes, s`,
          `${fmt(client.run.wrappedSeconds, 2)} vs bare ${fmt(client.run.bareSeconds, 2)}`,
          `${fmt(client.run.ratio, 2)}x the bare run (output to a file); count and last seq checked`,
          '<= 1.3x',
        ),
    client.logger.skipped
      ? note('session logger', '', 'skipped', '')
      : note(
          'session logger, one process into one session, entries/s',
          fmt(client.logger.entriesPerSecond),
          `log() p50/p99 ${fmt(client.logger.logP50Us, 2)}/${fmt(client.logger.logP99Us, 2)} us`,
          '>= 200,000; p99 <= 5 us',
        ),
    ...(redis.skipped
      ? [note('Redis store', '', 'skipped', '')]
      : redisRows(redis, { note, fmt, memoryStoreBytes: memoryApi.bytesPerEntry })),
  ];
  const header = ['workload', 'api', 'same-store bare', 'naive bare', 'api/bare', 'api/naive', 'target'];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => String(r[c]).length)));
  const line = (r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  rows.forEach((r) => console.log(line(r)));
  if (wanted('throughput')) {
    console.log(
      `\nIngest: ${ingested.rounds} rounds of ${ingested.seconds} s; reads: ${read.rounds} rounds of ${read.seconds} s ` +
        '(the three servers up at once, taking turns). Each server: the median over the rounds (a p99: the median ' +
        "of the rounds' p99s); api/bare, api/naive: the median of the per-round ratios [min-max].",
    );
  }
}

/** The names of the runs in `results` that were not valid; `memoryRuns` by kind. */
export function invalidRuns(results, memoryRuns) {
  const { bare, naive, api, isolated, live, push, feed, ui, merged, client, redis } = results;
  return Object.entries({
    ...Object.fromEntries(Object.entries(bare).map(([k, v]) => [`bare.${k}`, v.valid])),
    ...Object.fromEntries(Object.entries(naive).map(([k, v]) => [`naive.${k}`, v.valid])),
    ...Object.fromEntries(Object.entries(api).map(([k, v]) => [`api.${k}`, v.valid])),
    ...Object.fromEntries(Object.entries(memoryRuns).map(([k, v]) => [`memory.${k}`, v.valid])),
    isolated: isolated.valid,
    live: live.valid,
    push: push.valid,
    feed: feed.valid,
    ui: ui.valid,
    merged: merged.valid,
    'client.startUp': client.startUp.valid,
    'client.run': client.run.valid,
    'client.logger': client.logger.valid,
    redis: redis.valid,
  })
    .filter(([, valid]) => !valid)
    .map(([name]) => name);
}
