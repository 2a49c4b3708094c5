// Noisy neighbours: what one client flooding a session costs every other client, with the
// per-session append limit off and on.
import { WRK, jsonBatch, loadAsync, median, message, oid, roundRatios } from './common.mjs';
import { QUICK } from './options.mjs';
import { createSessions, startServer } from './servers.mjs';

/**
 * Entries per second one session may append when the isolation workload runs with the limit
 * on. The quick run uses a low one, so that even a slow machine's flood meets it.
 */
const ISOLATION_LIMIT = QUICK ? 1_000 : 20_000;

/** Isolation rounds: as for ingest (INGEST), 6 rounds of 2 s after a warm-up round; the quick run one of 1 s. */
const ISOLATION = QUICK ? { rounds: 1, seconds: 1, warmup: 0 } : { rounds: 6, seconds: 2, warmup: 1 };

/**
 * Noisy neighbours: 32 sessions append single entries (32 connections, as fast as they are
 * answered) alone, then while one client floods one other session with 100-entry batches
 * (8 connections, as fast as it is answered), with the per-session limit off and on. The
 * appenders are loaded by wrk, as the ingest rounds are: under autocannon their p99 carried
 * its own event loop's delays and whole milliseconds (alone 6–10 ms; under wrk ~4). The
 * flooder (bench/flooder.mjs) honours Retry-After as a real client does: on a 429 it waits
 * the seconds the server asked for before sending again on that connection. Two servers are
 * up at once (the limit off, and on) and the three cases run in turn, round after round, so
 * that the machine's drift lands on each alike: the ratios to alone are taken per round.
 */
export async function isolation() {
  const others = 32;
  const single = JSON.stringify({ level: 'info', message: message(1) });
  const flood = jsonBatch(100);
  const ids = Array.from({ length: others }, (_, i) => oid(20_000 + i + 1));
  const flooded = oid(20_000 + others + 1);
  const start = async (limit) => {
    const server = await startServer('api', limit ? { MAX_APPEND_ENTRIES_PER_S: String(limit) } : {});
    await createSessions(server, others + 1, 20_000);
    return server;
  };
  const unlimited = await start(0);
  const limited = await start(ISOLATION_LIMIT);
  const once = async (server, flooding) => {
    const [singles, flooder] = await Promise.all([
      loadAsync(
        {
          url: server.url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          bodies: ids.map((id) => ({ path: `/sessions/${id}/log`, body: single })),
          connections: others,
          duration: ISOLATION.seconds,
        },
        '1',
        WRK,
      ),
      flooding
        ? loadAsync(
            {
              url: server.url,
              path: `/sessions/${flooded}/log`,
              body: flood,
              contentType: 'application/json',
              connections: 8,
              duration: ISOLATION.seconds,
            },
            '1',
            'flooder.mjs',
          )
        : null,
    ]);
    return {
      othersRps: singles.requestsPerSecond,
      othersP50: singles.latencyP50,
      othersP99: singles.latencyP99,
      floodRps: flooder?.requestsPerSecond ?? 0,
      floodAcceptedRps: flooder?.acceptedPerSecond ?? 0,
      floodRejected: flooder?.refused ?? 0,
      valid: singles.valid && (!flooder || (flooder.requests > 0 && flooder.errors === 0)),
    };
  };
  const rounds = { alone: [], off: [], on: [] };
  for (let r = -ISOLATION.warmup; r < ISOLATION.rounds; r++) {
    const round = {
      alone: await once(unlimited, false),
      off: await once(unlimited, true),
      on: await once(limited, true),
    };
    if (r >= 0) for (const k of Object.keys(rounds)) rounds[k].push(round[k]);
  }
  await Promise.all([unlimited.stop(), limited.stop()]);
  /** One case over the rounds: the medians of its figures, the total refused, valid if every round was. */
  const summary = (runs) => {
    const of = (figure) => median(runs.map((run) => run[figure]));
    return {
      othersRps: of('othersRps'),
      othersP50: of('othersP50'),
      othersP99: of('othersP99'),
      othersP99Range: [Math.min(...runs.map((run) => run.othersP99)), Math.max(...runs.map((run) => run.othersP99))],
      floodRps: of('floodRps'),
      floodAcceptedRps: of('floodAcceptedRps'),
      floodRejected: runs.reduce((sum, run) => sum + run.floodRejected, 0),
      valid: runs.every((run) => run.valid),
    };
  };
  const [alone, off, on] = [rounds.alone, rounds.off, rounds.on].map(summary);
  const ofAlone = (runs) => roundRatios(runs, rounds.alone, (run) => run.othersRps);
  return {
    others,
    limit: ISOLATION_LIMIT,
    rounds: ISOLATION.rounds,
    seconds: ISOLATION.seconds,
    alone,
    off: { ...off, ofAlone: ofAlone(rounds.off) },
    on: { ...on, ofAlone: ofAlone(rounds.on) },
    valid: alone.valid && off.valid && on.valid,
  };
}
