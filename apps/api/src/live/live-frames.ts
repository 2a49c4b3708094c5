import { WS_EVENTS } from '@zen/contract';
import { CursorSlice, entryJson } from '@zen/log-store';
import { utf8Joined } from '../common/utf8-joined';

// Frames are built as text once and sent as is to every client that needs them.

export function errorFrame(message: string): string {
  return JSON.stringify({ event: WS_EVENTS.error, data: { message } });
}

/** What goes around a listing (`{"sessions": [...], "serverSessionId": ...}`) to make a `sessions` event. */
export const SESSIONS_FRAME_AROUND = { before: `{"event":"${WS_EVENTS.sessions}","data":`, after: '}' } as const;

/** A `log` frame, and where in its slice the next one starts (`sentTo`) and at which seq (`next`). */
export interface LogFrame {
  frame: string;
  sentTo: number;
  next: number;
}

/**
 * The `log` frame of a slice's entries from `from`, cut after those that fit in `maxChars`
 * (always at least one): WS_LOG_CHUNK entries of 64 KiB messages and data make a frame of a
 * hundred megabytes, more than a slow client may have queued (WS_MAX_BUFFERED_BYTES) and more
 * than common clients take in one message. The rest of the slice makes the next frames,
 * without another read. `dropped` goes with the first frame.
 */
export function logFrameWithin(sessionId: string, slice: CursorSlice, from: number, maxChars: number): LogFrame {
  const { entries } = slice;
  let json = '';
  let at = from;
  for (; at < entries.length; at++) {
    const entry = entryJson(entries[at]);
    if (at > from && json.length + entry.length + 1 > maxChars) break;
    json += at > from ? `,${entry}` : entry;
  }
  const next = at < entries.length ? entries[at].seq : slice.cursor;
  const dropped = from === 0 ? slice.dropped : 0;
  const data = `{"id":"${sessionId}","entries":[${json}],"cursor":${next},"dropped":${dropped}}`;
  return { frame: `{"event":"${WS_EVENTS.log}","data":${data}}`, sentTo: at, next };
}

/** `{"event":"log","data":{"id":"` … `",`: what goes before a cursor read's JSON body, past its `{`. */
const LOG_FRAME_HEAD = Buffer.from(`{"event":"${WS_EVENTS.log}","data":{"id":"`);
const LOG_FRAME_ID_END = Buffer.from('",');
const LOG_FRAME_TAIL = Buffer.from('}');

/**
 * The `log` frame of a cursor read written as its `json` body (`{"entries":[…],"cursor":C,"dropped":D}`,
 * an EncodedSlice's): the same bytes as logFrameWithin's frame of the same entries when none is cut.
 */
export function encodedLogFrame(sessionId: string, body: Buffer): Buffer {
  return Buffer.concat([LOG_FRAME_HEAD, Buffer.from(sessionId), LOG_FRAME_ID_END, body.subarray(1), LOG_FRAME_TAIL]);
}

/**
 * `upserted` are sessions as JSON text (each record's cached serialisation). As bytes: every
 * session may change in one window, and all of them may be longer than a string (utf8Joined).
 */
export function sessionsDeltaFrame(upserted: string[], removed: string[]): Buffer {
  const pieces = [`{"event":"${WS_EVENTS.sessionsDelta}","data":{"upserted":[`];
  for (let i = 0; i < upserted.length; i++) pieces.push(i > 0 ? `,${upserted[i]}` : upserted[i]);
  pieces.push(`],"removed":${JSON.stringify(removed)}}}`);
  return utf8Joined(pieces);
}
