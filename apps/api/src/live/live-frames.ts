import { WS_EVENTS } from '@zen/contract';
import { CursorSlice, entryJson } from '@zen/log-store';

// Frames are built as text once and sent as is to every client that needs them.

export function errorFrame(message: string): string {
  return JSON.stringify({ event: WS_EVENTS.error, data: { message } });
}

/** `sessionsJson` is the listing as JSON text, `{"sessions": [...], "serverSessionId": ...}`. */
export function sessionsFrame(sessionsJson: string): string {
  return `{"event":"${WS_EVENTS.sessions}","data":${sessionsJson}}`;
}

/** A `log` frame, and the entries of the slice it carries: the first `sent`, continuing at `next`. */
export interface LogFrame {
  frame: string;
  sent: number;
  next: number;
}

/**
 * The `log` frame of a slice, cut after the entries that fit in `maxChars` (always at least
 * one): WS_LOG_CHUNK entries of 64 KiB messages and data make a frame of a hundred megabytes,
 * more than a slow client may have queued (WS_MAX_BUFFERED_BYTES) and more than common
 * clients take in one message. The entries' JSON is made once, as the frame is built.
 */
export function logFrameWithin(sessionId: string, slice: CursorSlice, maxChars: number): LogFrame {
  const { entries } = slice;
  let json = '';
  let sent = 0;
  for (; sent < entries.length; sent++) {
    const entry = entryJson(entries[sent]);
    if (sent > 0 && json.length + entry.length + 1 > maxChars) break;
    json += sent > 0 ? `,${entry}` : entry;
  }
  const next = sent < entries.length ? entries[sent].seq : slice.cursor;
  const data = `{"id":"${sessionId}","entries":[${json}],"cursor":${next},"dropped":${slice.dropped}}`;
  return { frame: `{"event":"${WS_EVENTS.log}","data":${data}}`, sent, next };
}

/** `upserted` are sessions as JSON text (each record's cached serialisation). */
export function sessionsDeltaFrame(upserted: string[], removed: string[]): string {
  return `{"event":"${WS_EVENTS.sessionsDelta}","data":{"upserted":[${upserted.join(',')}],"removed":${JSON.stringify(removed)}}}`;
}
