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

/**
 * Bundles a TypeScript entry into one ES module for a browser page, as a web app importing the
 * libraries would be built (no Node built-ins: esbuild fails on one). Returns its text.
 */
export function bundleForBrowser(entry: string, options: BuildOptions = {}): string {
  const result = buildSync({
    entryPoints: [entry],
    write: false,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    tsconfig: join(REPO, 'tsconfig.base.json'),
    logLevel: 'silent',
    ...options,
  });
  return (result.outputFiles ?? [])[0].text;
}
