// The bench's plain .mjs scripts take shared helpers from the TypeScript libraries
// themselves rather than from copies: a module without imports of its own (other than
// Node's) is compiled in memory by esbuild and imported from a data: URL; one that imports
// other modules of the repo is bundled with them into bench/.build and required from there.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), '.build');

/** Imports a self-contained TypeScript module (it may import `node:` built-ins only). */
export function importTypeScript(path) {
  const { code } = esbuild.transformSync(readFileSync(path, 'utf8'), { loader: 'ts', format: 'esm' });
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/**
 * Imports a TypeScript module together with the repo's modules it imports: bundled by esbuild
 * into bench/.build/<name>.cjs, the `external` packages left to node_modules.
 */
export async function importBundled(path, { external = [] } = {}) {
  const outfile = join(BUILD, `${basename(path, '.ts')}.cjs`);
  await esbuild.build({
    entryPoints: [path],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external,
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}
