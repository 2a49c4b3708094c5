// Builds the `zen-sessions` package: one bundled file with no runtime dependencies, and its package.json.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '../..');
const OUT = join(REPO, 'dist/apps/cli');
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

// esbuild strips types without checking them: check first, so a type error fails the build.
execFileSync(
  process.execPath,
  [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(HERE, 'tsconfig.app.json'), '--noEmit'],
  {
    stdio: 'inherit',
  },
);
mkdirSync(OUT, { recursive: true });
await esbuild.build({
  entryPoints: [join(HERE, 'src/main.ts')],
  outfile: join(OUT, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  tsconfig: join(HERE, 'tsconfig.app.json'),
  banner: { js: '#!/usr/bin/env node' },
  define: { ZEN_SESSIONS_VERSION: JSON.stringify(version) },
  // ws loads these native speed-ups only when installed; without them it uses plain JS.
  external: ['bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});
chmodSync(join(OUT, 'main.js'), 0o755);
writeFileSync(
  join(OUT, 'package.json'),
  JSON.stringify(
    {
      name: 'zen-sessions',
      version,
      description: 'The zen-sessions command line: wrap a command, pipe a stream, tail a session',
      license: 'MIT',
      bin: { 'zen-sessions': 'main.js' },
      files: ['main.js', 'README.md'],
      engines: { node: '>=20' },
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(join(OUT, 'README.md'), readFileSync(join(HERE, 'README.md'), 'utf8'));
