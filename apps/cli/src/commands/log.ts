import { createSessionLogger } from '@zen/client';
import type { LogLevel } from '@zen/contract';
import { connection, GlobalOptions, restClient } from '../connection';
import { LineSplitter } from '../line-splitter';

interface LogOptions extends GlobalOptions {
  level: LogLevel;
}

/** How long, after stdin ends, the last entries may wait for an unreachable server. */
const FLUSH_TIMEOUT_MS = 10_000;

/** `zen-sessions log <id> [message...]`: one entry, or every line of stdin as it arrives. */
export async function logCommand([id, words]: [string, string[]], options: LogOptions): Promise<number> {
  if (words.length > 0) {
    await restClient(options).logs.append(id, { level: options.level, message: words.join(' ') });
    return 0;
  }
  let failure: Error | null = null;
  const logger = createSessionLogger({
    ...connection(options),
    id,
    appname: 'zen-sessions log',
    attach: true,
    flushOnExit: false,
    onError: (error) => (failure ??= error),
  });
  const lines = new LineSplitter(
    (line) => logger.log(options.level, line),
    1_000,
    () => process.stdin.isPaused(),
  );
  await new Promise<void>((resolve) => {
    process.stdin.on('data', (chunk: Buffer) => {
      lines.write(chunk);
      if (logger.backlogged) {
        process.stdin.pause();
        void logger.drained().then(() => process.stdin.resume());
      }
    });
    process.stdin.on('end', resolve);
    process.stdin.on('error', resolve);
  });
  lines.end();
  await logger.close(FLUSH_TIMEOUT_MS);
  if (failure) throw failure;
  return 0;
}
