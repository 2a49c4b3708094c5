// Memory per held entry: the RSS of a server filling its logs, 100-byte messages or a cook log.
import { cookLog } from './cook-log.mjs';
import { jsonBatch, oid, post, sleep } from './common.mjs';
import { SCALE } from './options.mjs';
import { createSessions, rssBytes, startServer } from './servers.mjs';

/**
 * RSS per held entry while sessions fill to 10,000 entries: 100-byte messages, or a realistic
 * Unreal cook log (bench/cook-log.mjs, seeded: every run holds the same lines). The figure is
 * the slope of RSS over entries across the last three quarters of the fill (least squares
 * over RSS read after each quarter): what one more held entry costs. The first quarter also
 * grows what a busy process holds whatever it stores (V8's young generation grows to its
 * working size under load, ~48 MB), which is not per entry; the whole-fill figure, with it,
 * is kept beside (`wholeFillBytesPerEntry`).
 */
export async function memory(kind, messages = 'fixed') {
  const server = await startServer(kind, { LOG_CAPACITY: '10000' });
  await createSessions(server, SCALE.fillSessions, 5000);
  await sleep(1000);
  const before = rssBytes(server.pid);
  const fixed = jsonBatch(1000);
  let messageBytes = 0;
  const quarters = [];
  const quarterEnds = new Set([1, 2, 3, 4].map((q) => Math.round((q * SCALE.fillSessions) / 4)));
  for (let i = 0; i < SCALE.fillSessions; i++) {
    const cook = messages === 'cook' ? cookLog(i + 1, 10_000) : null;
    for (let b = 0; b < 10; b++) {
      const entries = cook?.slice(b * 1000, (b + 1) * 1000);
      if (entries) messageBytes += entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.message), 0);
      await post(`${server.url}/sessions/${oid(5000 + i + 1)}/log`, entries ? JSON.stringify({ entries }) : fixed);
    }
    if (quarterEnds.has(i + 1)) {
      await sleep(1000);
      quarters.push({ entries: (i + 1) * 10_000, rss: rssBytes(server.pid) });
    }
  }
  // The last quarter's reading is the filled server's.
  const after = quarters[quarters.length - 1].rss;
  await server.stop();
  const entries = SCALE.fillSessions * 10_000;
  const slope = leastSquaresSlope(quarters.slice(1).map((q) => [q.entries, q.rss]));
  return {
    entries,
    messageBytesPerEntry: messages === 'cook' ? messageBytes / entries : 100,
    rssBefore: before,
    rssAfter: after,
    rssAfterEachQuarter: quarters.map((q) => q.rss),
    bytesPerEntry: slope,
    wholeFillBytesPerEntry: (after - before) / entries,
    valid: after > before && quarters.length === 4 && slope > 0,
  };
}

/** The slope of the line through `points` ([x, y] pairs) that fits them best (least squares). */
function leastSquaresSlope(points) {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}
