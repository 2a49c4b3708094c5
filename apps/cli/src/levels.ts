import type { LogLevel } from '@zen/contract';

// `Error: ...`, or Unreal's `[time][frame]LogCook: Warning: ...` (one category word before the verbosity).
const MARKER = /^(?:\[[^\]]*\])*\s*(?:[A-Za-z_]\w*:\s*)?(Error|error|Fatal|Warning|warning|Verbose|VeryVerbose):/;

const LEVEL_OF_MARKER: Record<string, LogLevel> = {
  Error: 'error',
  error: 'error',
  Fatal: 'error',
  Warning: 'warn',
  warning: 'warn',
  Verbose: 'debug',
  VeryVerbose: 'debug',
};

/** The level a line's verbosity marker or leading word names, or null when it names none. */
export function markerLevel(line: string): LogLevel | null {
  const match = MARKER.exec(line);
  return match ? LEVEL_OF_MARKER[match[1]] : null;
}
