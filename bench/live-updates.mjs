// The WebSocket side: append-to-receipt latency under ingest, the periodic sessions push, and
// the sessions feed's CPU in delta and full mode beside a bare ws server sending the same frames.
import { join } from 'node:path';
import { BENCH, jsonBatch, load, oid, startServer as startNode } from './common.mjs';
import { FEED, QUICK, SCALE, SECONDS } from './options.mjs';
import { createSessions, serverCpuWhileSubscribed, startServer, subscribers } from './servers.mjs';

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

/**
 * CPU the server spends on the sessions feed: FEED.sessions sessions, 1 % of them changing
 * (an append) per second, measured with no dashboards (the changes alone), then with
 * FEED.dashboards in delta mode, then in full mode. The server's CPU (user + system, what
 * process.cpuUsage reports, read from /proc) over the measuring window; the feed's share is
 * a mode's figure minus the changes-alone one. That is a difference of two figures of 3–10 %
 * each, and one window of each moved it by more than the target (0.0–7.4 % over earlier
 * runs), so the changes alone and the delta mode alternate FEED.pairs times and the delta
 * share is the median of the pairs' differences.
 */
export async function sessionsFeed() {
  const server = await startServer('api', { MAX_SESSIONS: '100000' });
  const firstSession = 200_001;
  await createSessions(server, FEED.sessions, firstSession - 1);
  const phase = (feedMode, clients) =>
    serverCpuWhileSubscribed(server.pid, {
      mode: 'feed',
      feedMode,
      clients,
      wsUrl: `${server.url.replace('http', 'ws')}/sessions/ws`,
      url: server.url,
      firstSession,
      sessionCount: FEED.sessions,
      changesPerSecond: FEED.sessions / 100,
      warmupMs: FEED.warmupMs,
      durationMs: FEED.seconds * 1000,
    });
  const pairs = [];
  for (let i = 0; i < FEED.pairs; i++) {
    const alone = await phase('none', 0);
    pairs.push({ alone, delta: await phase('delta', FEED.dashboards) });
  }
  const share = ({ alone, delta }) => Math.max(0, delta.cpuPercentOfCore - alone.cpuPercentOfCore);
  const middle = [...pairs].sort((a, b) => share(a) - share(b))[Math.floor(pairs.length / 2)];
  const { alone: changesAlone, delta } = middle;
  const full = await phase('full', FEED.dashboards);
  await server.stop();
  const framesPerSecond = delta.deltas / FEED.dashboards / FEED.seconds;
  const frameBytes = delta.bytes / Math.max(1, delta.deltas);
  const bareWs = await wsFramesBaseline(framesPerSecond, frameBytes);
  const expectedChanges = (FEED.seconds * FEED.sessions) / 100;
  const steady = (run) => run.changeErrors === 0 && run.changes >= expectedChanges * 0.8;
  return {
    sessions: FEED.sessions + 1,
    dashboards: FEED.dashboards,
    changesPerSecond: FEED.sessions / 100,
    changesAlone,
    delta,
    full,
    deltaCpuPercentOfCore: share(middle),
    deltaCpuPercentRounds: pairs.map(share),
    deltaFramesPerSecond: framesPerSecond,
    deltaFrameBytes: frameBytes,
    bareWsCpuPercentOfCore: bareWs.cpuPercentOfCore,
    fullCpuPercentOfCore: Math.max(0, full.cpuPercentOfCore - changesAlone.cpuPercentOfCore),
    // Below 1 a second, the dashboards could not take the full lists and were skipped (see the README).
    fullListingsPerSecond: full.listings / FEED.dashboards / FEED.seconds,
    // Delta dashboards got deltas and no periodic lists; full ones got the periodic lists.
    valid:
      [...pairs.flatMap(({ alone, delta }) => [alone, delta]), full].every(steady) &&
      delta.deltas > 0 &&
      delta.listings === 0 &&
      full.listings > 0 &&
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
