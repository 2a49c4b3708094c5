import type { HeaderList } from '@zen/log-store';
import { ServerResponse } from 'node:http';

/** The Content-Type of every JSON answer: the error shape, sessions, log pages. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const PRESET = Symbol('preset headers');
const NONE: HeaderList = [];

type Preset = { [PRESET]?: HeaderList };

/**
 * Headers that `res` must carry whatever it answers, written with the status line by
 * sendBody. The HTTP pipeline presets the security headers this way on raw routes: one
 * `writeHead` with a list measured cheaper per request than eleven `setHeader` calls,
 * which validate, lower-case and store each header before it is written
 * (docs/performance.md). Kept on the response itself: a WeakMap entry per request cost
 * more, and kept the collector busy.
 */
export function presetHeaders(res: ServerResponse, headers: HeaderList): void {
  (res as ServerResponse & Preset)[PRESET] = headers;
}

/** The headers preset on `res` (none if nothing preset any). */
export function presetOf(res: ServerResponse): HeaderList {
  return (res as ServerResponse & Preset)[PRESET] ?? NONE;
}

/** Writes a whole, already-serialised body with its status and headers in one go. */
export function sendBody(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: HeaderList = NONE,
): void {
  const preset = presetOf(res);
  // One list of the final length, in one allocation.
  const list = preset.concat(headers, 'Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(body)));
  res.writeHead(status, list);
  res.end(body);
}

/**
 * Writes an already-serialised JSON body. The hot routes build their JSON by hand
 * (entries are stored as columns, data as JSON text), so Express's res.json would
 * only parse nothing and re-serialise nothing — but still cost an ETag and a copy.
 */
export function sendJson(res: ServerResponse, status: number, json: string | Buffer): void {
  sendBody(res, status, JSON_CONTENT_TYPE, json);
}
