// The HTTP rounds on the API and its two baselines up at once, taking turns: ingest (JSON and
// text batches, single appends) and reads (tail, offset page, search, downloads).
import {
  WRK,
  interleavedRounds,
  jsonBatch,
  load,
  median,
  message,
  oid,
  post,
  roundRatios,
  textBatch,
} from './common.mjs';
import { QUICK, SCALE } from './options.mjs';
import { createSessions, startServer } from './servers.mjs';

/** Appears in 1 message of each 1,000 of a fill batch (`jsonBatch(1000)`). */
export const FILTER_WORD = '00000042';

/**
 * Ingest rounds: the full run counts 6 rounds of 2 s after a warm-up round (the quick run one
 * round of 1 s, no warm-up). Short interleaved rounds instead of one long run per server: on
 * a shared machine the phases of a long run met different neighbours (docs/performance.md).
 */
const INGEST = QUICK ? { rounds: 1, seconds: 2, warmup: 0 } : { rounds: 6, seconds: 2, warmup: 1 };
const INGEST_WORKLOADS = ['jsonBatch', 'textBatch', 'single'];

/**
 * Ingest on the three servers at once (JSON and text batches of 100, single entries; 64
 * sessions, 32 connections), in interleaved rounds. Each server's figures are the medians
 * over the rounds; `ratios` holds the median and range of the API's per-round ratio to
 * each baseline, which is what the table reports.
 */
export async function ingest() {
  const servers = [];
  for (const kind of ['bare', 'naive', 'api']) {
    const server = await startServer(kind);
    await createSessions(server, SCALE.sessions);
    servers.push({ name: kind, ...server });
  }
  const ids = Array.from({ length: SCALE.sessions }, (_, i) => oid(i + 1));
  const at = (body) => ids.map((id) => ({ path: `/sessions/${id}/log`, body }));
  const appends = (type, body) => ({ method: 'POST', headers: { 'content-type': type }, bodies: at(body) });
  const specs = {
    jsonBatch: appends('application/json', jsonBatch(100)),
    textBatch: appends('text/plain', textBatch(100)),
    single: appends('application/json', JSON.stringify({ level: 'info', message: message(1) })),
  };
  const rounds = interleavedRounds({ servers, specs, ...INGEST });
  await Promise.all(servers.map((server) => server.stop()));
  const figures = Object.fromEntries(servers.map(({ name }) => [name, {}]));
  const ratios = {};
  for (const w of INGEST_WORKLOADS) {
    for (const { name } of servers) figures[name][w] = medianRun(rounds[w][name]);
    ratios[w] = apiRatios(rounds[w]);
  }
  for (const { name } of servers) {
    for (const w of ['jsonBatch', 'textBatch'])
      figures[name][w].entriesPerSecond = figures[name][w].requestsPerSecond * 100;
  }
  return { ...figures, ratios, rounds: INGEST.rounds, seconds: INGEST.seconds };
}

/**
 * The API's per-round ratios to each baseline in one workload's rounds (`{ [server]: runs }`):
 * requests/s, and the server's CPU time per request as its inverse, so that above 1 means the
 * API costs less, as for requests/s.
 */
function apiRatios(runs) {
  const perCpu = (run) => 1 / run.cpuUs;
  return {
    bare: roundRatios(runs.api, runs.bare),
    naive: roundRatios(runs.api, runs.naive),
    cpuBare: roundRatios(runs.api, runs.bare, perCpu),
    cpuNaive: roundRatios(runs.api, runs.naive, perCpu),
  };
}

/**
 * One server's rounds of a workload as one result: the medians of its figures, valid if every
 * round was. The latencies too are medians over the rounds: `latencyP99` is the median of the
 * rounds' p99s (each round's own in `p99Rounds`), not a p99 over all their requests.
 */
function medianRun(runs) {
  const of = (figure) => median(runs.map((run) => run[figure]));
  return {
    requestsPerSecond: of('requestsPerSecond'),
    bytesPerSecond: of('bytesPerSecond'),
    latencyP50: of('latencyP50'),
    latencyP99: of('latencyP99'),
    cpuUs: of('cpuUs'),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    valid: runs.every((run) => run.valid),
    rounds: runs.map((run) => run.requestsPerSecond),
    p99Rounds: runs.map((run) => run.latencyP99),
  };
}

/** Seconds of uncounted tail reads on each server after the fill and the first downloads. */
const READS_WARMUP_S = QUICK ? 1 : 5;

/**
 * Read rounds: the full run counts 5 rounds of 1 s after a warm-up round, 7 workloads on 3
 * servers (the quick run one round of 2 s, no warm-up). With each load run's start (~0.4 s)
 * a round takes ~30 s, and the reads phase, fills included, about what it took when each
 * server ran the workloads in turn for 8 s (4 s the unloaded ones): 225 s then, on the same
 * machine, and 278 s with 6 rounds. An odd count also makes each median one round's figure.
 */
// The quick run's 2 s: in a 1 s window on one connection, a CI run beside another on 2 cores
// once completed no request at all (naive `q=`), which counts as an invalid run.
const READS = QUICK ? { rounds: 1, seconds: 2, warmup: 0 } : { rounds: 5, seconds: 1, warmup: 1 };
/** The read workloads whose figure is bytes/s: their ratios are also taken on it. */
const DOWNLOADS = ['ndjsonDownload', 'textDownload'];

/**
 * Every log downloaded once as NDJSON, one after another, before the measured reads: the
 * first read of an entry costs more than the next ones on the memory store (it learns whether
 * the message needs escaping, memory/slot-kinds.ts), so without this pass a workload's figure
 * depended on how much of the data the workloads before it had read. Answers the pass's own
 * rate (`bytesPerSecond`): the first download of a log.
 */
async function firstDownloads(url, ids) {
  const started = performance.now();
  let bytes = 0;
  for (const id of ids) {
    const res = await fetch(`${url}/sessions/${id}/log?cursor=0&format=ndjson`);
    if (!res.ok) throw new Error(`first download of ${id}: ${res.status}`);
    bytes += (await res.arrayBuffer()).byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  return { bytesPerSecond: bytes / seconds, requests: ids.length, non2xx: 0, errors: 0, valid: bytes > 0 };
}

/**
 * Reads on the three servers up at once, in interleaved rounds as ingest (READS): each holds
 * 200 sessions filled to 10,000 entries; every log is downloaded once on each (firstDownloads:
 * a one-off pass, so one server after the other, not in rounds), then tail reads run
 * READS_WARMUP_S on each, uncounted (for several seconds after a fill of this size a server
 * ran at a fraction of its speed: 900 µs of CPU per tail read instead of ~100, in any server),
 * then the read workloads take turns round by round. Each server's figures are the medians
 * over the rounds, its latencies too: a p99 (loaded or unloaded) is the median of the rounds'
 * p99s. `ratios` holds the median and range of the API's per-round ratio to each baseline.
 */
export async function reads() {
  const ids = Array.from({ length: SCALE.fillSessions }, (_, i) => oid(1000 + i + 1));
  const fill = jsonBatch(1000);
  const servers = [];
  for (const kind of ['bare', 'naive', 'api']) {
    const server = await startServer(kind);
    await createSessions(server, SCALE.fillSessions, 1000);
    for (const id of ids) for (let b = 0; b < 10; b++) await post(`${server.url}/sessions/${id}/log`, fill);
    servers.push({ name: kind, ...server });
  }
  const figures = Object.fromEntries(servers.map(({ name }) => [name, {}]));
  for (const { name, url } of servers) figures[name].firstDownload = await firstDownloads(url, ids);
  const gets = (query, connections) => ({
    method: 'GET',
    headers: {},
    bodies: ids.map((id) => ({ path: `/sessions/${id}/log?${query}` })),
    connections,
  });
  // Tail reads (the 100 newest); a page in the middle of the held entries; a text search over
  // the whole log (10 matches per 10,000: the scan is the cost); full downloads of a log in the
  // two line formats.
  const specs = {
    tailUnloaded: gets('cursor=9900', 1),
    tailLoaded: gets('cursor=9900', 32),
    offsetMiddle: gets('offset=4950&limit=100', 32),
    filteredLoaded: gets(`cursor=0&q=${FILTER_WORD}`, 32),
    filteredUnloaded: gets(`cursor=0&q=${FILTER_WORD}`, 1),
    ndjsonDownload: gets('cursor=0&format=ndjson', 1),
    textDownload: gets('cursor=0&format=text', 1),
  };
  for (const { url } of servers) load({ ...specs.tailLoaded, url, duration: READS_WARMUP_S }, '1', WRK);
  const rounds = interleavedRounds({ servers, specs, ...READS });
  await Promise.all(servers.map((server) => server.stop()));
  const ratios = {};
  for (const w of Object.keys(specs)) {
    for (const { name } of servers) figures[name][w] = medianRun(rounds[w][name]);
    ratios[w] = apiRatios(rounds[w]);
    if (DOWNLOADS.includes(w)) {
      const bytes = (run) => run.bytesPerSecond;
      ratios[w].bytesBare = roundRatios(rounds[w].api, rounds[w].bare, bytes);
      ratios[w].bytesNaive = roundRatios(rounds[w].api, rounds[w].naive, bytes);
    }
  }
  return { ...figures, ratios, rounds: READS.rounds, seconds: READS.seconds };
}
