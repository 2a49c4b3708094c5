import { constants } from 'node:os';

/** As a shell reports a process a signal ended: 128 + the signal's number (128 with none). */
export function exitCodeOfSignal(signal: NodeJS.Signals | null): number {
  return 128 + (signal ? (constants.signals as Record<string, number>)[signal] : 0);
}
