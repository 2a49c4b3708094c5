import { BuildOptions, buildSync } from 'esbuild';
import { join } from 'node:path';
import { REPO } from './repo';

/**
 * Bundles a TypeScript entry (the workspace's path aliases resolved) into one script for a
 * Node child process, as a user's program importing the libraries would be built.
 */
export function bundleForNode(entry: string, outfile: string, options: BuildOptions = {}): void {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    tsconfig: join(REPO, 'tsconfig.base.json'),
    logLevel: 'silent',
    ...options,
  });
}
