import { ServerResponse } from 'node:http';

/**
 * Writes an already-serialised JSON body. The hot routes build their JSON by hand
 * (entries are stored as columns, data as JSON text), so Express's res.json would
 * only parse nothing and re-serialise nothing — but still cost an ETag and a copy.
 */
export function sendJson(res: ServerResponse, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}
