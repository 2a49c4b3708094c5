import { WS_EVENTS } from '@zen/contract';
import { cursorPageJson, CursorSlice } from '@zen/log-store';

// Frames are built as text once and sent as is to every client that needs them.

export function errorFrame(message: string): string {
  return JSON.stringify({ event: WS_EVENTS.error, data: { message } });
}

/** `sessionsJson` is the listing as JSON text, `{"sessions": [...], "serverSessionId": ...}`. */
export function sessionsFrame(sessionsJson: string): string {
  return `{"event":"${WS_EVENTS.sessions}","data":${sessionsJson}}`;
}

export function logFrame(sessionId: string, slice: CursorSlice): string {
  return `{"event":"${WS_EVENTS.log}","data":{"id":"${sessionId}",${cursorPageJson(slice).slice(1)}}`;
}

/** `upserted` are sessions as JSON text (each record's cached serialisation). */
export function sessionsDeltaFrame(upserted: string[], removed: string[]): string {
  return `{"event":"${WS_EVENTS.sessionsDelta}","data":{"upserted":[${upserted.join(',')}],"removed":${JSON.stringify(removed)}}}`;
}
