import { LogEntry, LogLevel, Session } from '@zen/contract';

let counter = 0;

/** A session with sensible defaults; ids count up so each is distinct. */
export function session(overrides: Partial<Session> = {}): Session {
  counter++;
  return {
    id: counter.toString(16).padStart(24, '0'),
    appname: 'UnrealEditor',
    mode: 'editor',
    jobid: null,
    metadata: {},
    status: 'active',
    created: '2026-11-24T12:00:00.000Z',
    updated: '2026-11-24T12:00:00.000Z',
    ended: null,
    endReason: null,
    logCount: 0,
    logCursor: 0,
    warnCount: 0,
    errorCount: 0,
    ...overrides,
  };
}

export function entry(seq: number, message = `line ${seq}`, level: LogLevel = 'info'): LogEntry {
  return { seq, time: '2026-11-24T12:00:00.000Z', level, message };
}
