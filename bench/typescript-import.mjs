// The bench's plain .mjs scripts take shared helpers from the TypeScript libraries
// themselves rather than from copies: a module without imports of its own (other than
// Node's) is compiled in memory by esbuild and imported from a data: URL.
import { readFileSync } from 'node:fs';
import esbuild from 'esbuild';

/** Imports a self-contained TypeScript module (it may import `node:` built-ins only). */
export function importTypeScript(path) {
  const { code } = esbuild.transformSync(readFileSync(path, 'utf8'), { loader: 'ts', format: 'esm' });
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
