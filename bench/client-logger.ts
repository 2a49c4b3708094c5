// The session logger from one Node process into one session: entries/s until flushed, and the
// time one log() call takes (it only queues: the network is the pump's business).
import { createSessionLogger } from '@zen/client';

const [server, countArg, samplesArg] = process.argv.slice(2);
const count = Number(countArg);
const samples = Number(samplesArg);
const messages = Array.from({ length: 1000 }, (_, i) => `logger entry ${String(i).padStart(6, '0')} ` + 'x'.repeat(79));
const yieldNow = () => new Promise((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const log = createSessionLogger({ server, appname: 'bench-logger', maxQueue: count + samples });

  const started = performance.now();
  for (let i = 0; i < count; i++) {
    log.info(messages[i % 1000]);
    if (i % 10_000 === 9_999) await yieldNow();
  }
  await log.flush();
  const seconds = (performance.now() - started) / 1000;

  const nanos = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const message = messages[i % 1000];
    const before = process.hrtime.bigint();
    log.info(message);
    nanos[i] = Number(process.hrtime.bigint() - before);
    if (i % 1_000 === 999) await yieldNow();
  }
  await log.flush();
  nanos.sort();
  const id = log.id;
  await log.close();
  const session = await (await fetch(`${server}/sessions/${id}`)).json();
  process.stdout.write(
    JSON.stringify({
      entries: count,
      entriesPerSecond: count / seconds,
      logP50Us: nanos[Math.floor(samples * 0.5)] / 1000,
      logP99Us: nanos[Math.floor(samples * 0.99)] / 1000,
      logCursor: session.logCursor,
      stats: log.stats,
    }) + '\n',
  );
}

void main();
