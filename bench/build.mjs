// Builds what the bench runs: the API and the dashboard (if not built), the two baseline
// servers, the CLI as shipped and the session logger bundled like any Node tool using it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import esbuild from 'esbuild';
import { BENCH, REPO } from './common.mjs';
import { wanted } from './options.mjs';

/** Builds what the bench runs: the API (if not built) and the two baselines. */
export async function build() {
  const projects = ['api', 'dashboard'].filter((project) =>
    project === 'api'
      ? !existsSync(join(REPO, 'dist/apps/api/main.js'))
      : wanted('dashboard') && !existsSync(join(REPO, 'dist/apps/dashboard/browser/index.html')),
  );
  if (projects.length > 0) {
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', projects.join(',')], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    });
  }
  await esbuild.build({
    entryPoints: [join(BENCH, 'bare-server.ts'), join(BENCH, 'naive-server.ts')],
    outdir: join(BENCH, '.build'),
    bundle: true,
    platform: 'node',
    tsconfig: join(REPO, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  // The client side: the CLI as shipped, and the session logger bundled like any Node tool using it.
  execFileSync('node', [join(REPO, 'apps/cli/build.mjs')], { cwd: REPO, stdio: 'inherit' });
  await esbuild.build({
    entryPoints: [join(BENCH, 'client-logger.ts')],
    outfile: join(BENCH, '.build/client-logger.js'),
    bundle: true,
    platform: 'node',
    tsconfig: join(REPO, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
}
