// The WebSocket side: append-to-receipt latency under ingest, the periodic sessions push, and
// the sessions feed's CPU in delta and full mode beside a bare ws server sending the same frames.
import { join } from 'node:path';
import { BENCH, jsonBatch, load, oid, startServer as startNode } from './common.mjs';
import { FEED, QUICK, SCALE, SECONDS } from './options.mjs';
import {
  createSessions,
  serverCpuWhileSubscribed,
  serversCpuInOneWindow,
  startServer,
  subscribers,
} from './servers.mjs';

/** Append-to-receipt latency for subscribers of one session while others ingest ~50k entries/s. */
export async function fanout() {
  const server = await startServer('api');
  await createSessions(server, SCALE.sessions + 1);
  const watched = oid(SCALE.sessions + 1);
  const ids = Array.from({ length: SCALE.sessions }, (_, i) => oid(i + 1));
  const durationMs = SECONDS * 1000;
  // Latency is measured in steady state: probes start after a warm-up (JIT, buffers), and
  // the ingest lasts a second longer than warm-up and measurement, to cover the clients' start.
  const warmupMs = QUICK ? 300 : 1000;
  const json = jsonBatch(100);
  const [ingest, probes] = await Promise.all([
    new Promise((resolve) =>
      setTimeout(
        () =>
          resolve(
            load({
              url: server.url,
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              bodies: ids.map((id) => ({ path: `/sessions/${id}/log`, body: json })),
              connections: 16,
              duration: Math.ceil((durationMs + warmupMs) / 1000) + 1,
              rate: 500,
            }),
          ),
        200,
      ),
    ),
    subscribers({
      mode: 'fanout',
      clients: SCALE.fanoutClients,
      wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
      sessionId: watched,
      cursor: 0,
      appendUrl: `${server.url}/sessions/${watched}/log`,
      probeEveryMs: 20,
      durationMs,
      warmupMs,
    }),
  ]);
  await server.stop();
  return {
    ingestEntriesPerSecond: ingest.requestsPerSecond * 100,
    ...probes,
    valid: ingest.valid && probes.receipts === probes.expected && probes.receipts > 0,
  };
}

/** CPU the periodic sessions push costs with many sessions and clients (nothing else running). */
export async function listPush() {
  const server = await startServer('api', { MAX_SESSIONS: '100000', SESSIONS_WS_INTERVAL_MS: '1000' });
  await createSessions(server, SCALE.listSessions, 100_000);
  // Measured from when every client has its first listing, after a warm-up: the connects are not the push.
  const counted = await serverCpuWhileSubscribed(server.pid, {
    mode: 'list',
    clients: SCALE.listClients,
    wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
    warmupMs: 1500,
    durationMs: SCALE.listSeconds * 1000,
  });
  await server.stop();
  const cpu = counted.cpuSeconds;
  const ticks = SCALE.listSeconds;
  return {
    sessions: SCALE.listSessions + 1,
    clients: SCALE.listClients,
    bytesPerTickPerClient: counted.frames ? counted.bytes / counted.frames : 0,
    // Below 1, clients could not take the lists and were skipped: the CPU figure is then for fewer sends.
    listingsPerClientPerTick: counted.frames / SCALE.listClients / ticks,
    cpuPercentOfCore: (100 * cpu) / SCALE.listSeconds,
    cpuMsPerTick: (1000 * cpu) / ticks,
    valid: counted.frames > 0,
  };
}

/** How much longer than the measuring window the twins' subscribers run: the time the later one may take to get ready. */
const FEED_SLACK_MS = 3000;

/**
 * CPU the server spends on the sessions feed: FEED.sessions sessions, 1 % of them changing (an
 * append) per second, with FEED.dashboards in delta mode, then in full mode. Measured on twins:
 * two servers alike, the same changes to both, the dashboards on the first, the CPU of each
 * (user + system, what process.cpuUsage reports, read from /proc) over the same window; the
 * feed's share is the first's figure minus the second's. It was the difference of two windows
 * one after the other (the changes alone, then with the dashboards), which moved with whatever
 * the machine did in between (the changes alone cost 3–10 % of a core): pairs of one run read
 * from 0 to 6 %. One window for both takes the machine's moments out of the difference; what
 * each process does on its own (a collection) is left, so the delta share is the median of
 * FEED.pairs windows.
 */
export async function sessionsFeed() {
  const twins = [
    await startServer('api', { MAX_SESSIONS: '100000' }),
    await startServer('api', { MAX_SESSIONS: '100000' }),
  ];
  const firstSession = 200_001;
  const durationMs = FEED.seconds * 1000 + FEED_SLACK_MS;
  const spec = (server, feedMode, clients) => ({
    mode: 'feed',
    feedMode,
    clients,
    wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
    url: server.url,
    firstSession,
    sessionCount: FEED.sessions,
    changesPerSecond: FEED.sessions / 100,
    warmupMs: FEED.warmupMs,
    durationMs,
  });
  /** One window: the dashboards in `feedMode` on the first twin, the changes alone on the second. */
  const pair = async (feedMode) => {
    const [fed, alone] = twins;
    const [withFeed, changesAlone] = await serversCpuInOneWindow(
      [
        { pid: fed.pid, spec: spec(fed, feedMode, FEED.dashboards) },
        { pid: alone.pid, spec: spec(alone, 'none', 0) },
      ],
      FEED.seconds * 1000,
    );
    return { alone: changesAlone, fed: withFeed };
  };
  let pairs, full;
  try {
    for (const server of twins) await createSessions(server, FEED.sessions, firstSession - 1);
    // A first window, not counted: each twin's first collections after its 10,000 sessions (the
    // later-filled twin's) fell in the second window and read that pair as 0 in two runs of two.
    await pair('delta');
    pairs = [];
    for (let i = 0; i < FEED.pairs; i++) pairs.push(await pair('delta'));
    full = await pair('full');
  } finally {
    for (const server of twins) await server.stop();
  }
  const share = ({ alone, fed }) => Math.max(0, fed.cpuPercentOfCore - alone.cpuPercentOfCore);
  const middle = [...pairs].sort((a, b) => share(a) - share(b))[Math.floor(pairs.length / 2)];
  const { alone: changesAlone, fed: delta } = middle;
  const framesPerSecond = (delta.deltas / FEED.dashboards / durationMs) * 1000;
  const frameBytes = delta.bytes / Math.max(1, delta.deltas);
  const bareWs = await wsFramesBaseline(framesPerSecond, frameBytes);
  const expectedChanges = (durationMs / 1000) * (FEED.sessions / 100);
  const steady = (run) => run.aligned && run.changeErrors === 0 && run.changes >= expectedChanges * 0.8;
  return {
    sessions: FEED.sessions + 1,
    dashboards: FEED.dashboards,
    changesPerSecond: FEED.sessions / 100,
    changesAlone,
    delta,
    full: full.fed,
    deltaCpuPercentOfCore: share(middle),
    deltaCpuPercentRounds: pairs.map(share),
    deltaFramesPerSecond: framesPerSecond,
    deltaFrameBytes: frameBytes,
    bareWsCpuPercentOfCore: bareWs.cpuPercentOfCore,
    fullCpuPercentOfCore: share(full),
    // Below 1 a second, the dashboards could not take the full lists and were skipped (see the README).
    fullListingsPerSecond: (full.fed.listings / FEED.dashboards / durationMs) * 1000,
    // Delta dashboards got deltas and no periodic lists; full ones got the periodic lists.
    valid:
      [...pairs, full].flatMap(({ alone, fed }) => [alone, fed]).every(steady) &&
      delta.deltas > 0 &&
      delta.listings === 0 &&
      full.fed.listings > 0 &&
      bareWs.frames > 0,
  };
}

/**
 * The delta feed's floor: a bare `ws` server (bench/ws-frames-server.mjs, pinned like the API)
 * sending FEED.dashboards clients frames of the deltas' mean size at their rate; its CPU over
 * a window as long as the feed's.
 */
async function wsFramesBaseline(framesPerSecond, frameBytes) {
  const server = await startNode(join(BENCH, 'ws-frames-server.mjs'), {
    cores: '0',
    env: { FRAMES_PER_SECOND: String(framesPerSecond), FRAME_BYTES: String(Math.round(frameBytes)) },
  });
  try {
    return await serverCpuWhileSubscribed(server.pid, {
      mode: 'list',
      clients: FEED.dashboards,
      wsUrl: server.url.replace('http', 'ws'),
      warmupMs: FEED.warmupMs,
      durationMs: FEED.seconds * 1000,
    });
  } finally {
    await server.stop();
  }
}
