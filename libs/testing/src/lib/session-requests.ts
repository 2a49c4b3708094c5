import { JSON_HEADERS } from './json-headers';

/** Creates session `id` with `body` (its fields as JSON) through the server at `base` (POST /sessions/{id}); its answer. */
export function createSession(base: string, id: string, body: object): Promise<Response> {
  return fetch(`${base}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
}

/**
 * Appends `lines` to session `id` through the server at `base`, as one text/plain body joined by
 * line breaks (none after the last); its answer.
 */
export function appendLines(base: string, id: string, lines: string[]): Promise<Response> {
  return fetch(`${base}/sessions/${id}/log`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: lines.join('\n'),
  });
}
