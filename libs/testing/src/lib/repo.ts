import { resolve } from 'node:path';

/** The repository root: the built apps are in `dist/` below it. */
export const REPO = resolve(__dirname, '../../../..');
