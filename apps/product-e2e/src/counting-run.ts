import { CliProcess, CliResult, startCli } from '@zen/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A `zen-sessions run` of a counting command (see `startCountingRun`). */
export interface CountingRun {
  cli: CliProcess;
  /** Tells the command to stop; once `run` has exited, its result and the lines the command printed. */
  finish(): Promise<CliResult & { printed: string[] }>;
}

/**
 * `zen-sessions run` through `server` of a command printing `line 0`, `line 1`, … every `everyMs`
 * until told to stop (by a file `stop-<appname>` in `dir`), then `done <count>`, exiting with
 * `exitCode`: what its session's log must hold, every line once and in order, whatever happened to
 * the replicas or Redis meanwhile.
 */
export function startCountingRun(
  server: string,
  dir: string,
  appname: string,
  { exitCode, everyMs }: { exitCode: number; everyMs: number },
): CountingRun {
  const stop = join(dir, `stop-${appname}`);
  const script = `let n = 0; const t = setInterval(() => {
    if (require('node:fs').existsSync(${JSON.stringify(stop)})) { clearInterval(t); console.log('done ' + n); process.exitCode = ${exitCode}; }
    else console.log('line ' + n++);
  }, ${everyMs});`;
  const cli = startCli(['run', '--appname', appname, '--', process.execPath, '-e', script], {
    env: { ZEN_SESSIONS_URL: server },
  });
  return {
    cli,
    async finish() {
      writeFileSync(stop, '');
      const result = await cli.done;
      const count = Number(/^done (\d+)$/m.exec(result.stdout)?.[1]);
      const printed = [...Array.from({ length: count }, (_, i) => `line ${i}`), `done ${count}`];
      return { ...result, printed };
    },
  };
}
