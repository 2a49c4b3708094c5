import { version as packageVersion } from '../../../package.json';

/** The server's version, from the workspace package.json. */
export const version: string = packageVersion;
