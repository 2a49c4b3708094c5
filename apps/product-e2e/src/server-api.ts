import { JSON_HEADERS } from '@zen/testing';

/**
 * The REST calls a browser test sets its scene with, against the server at `base()` (read at
 * each call: the server starts in `beforeAll`, after the helpers are made).
 */
export function serverApi(base: () => string) {
  const api = (path: string, init?: RequestInit) => fetch(`${base()}/${path}`, init);
  return {
    api,
    create: (id: string, body: object) =>
      api(`sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) }),
    appendText: (id: string, lines: string[]) =>
      api(`sessions/${id}/log`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: lines.join('\n') }),
    appendEntries: (id: string, entries: object[]) =>
      api(`sessions/${id}/log`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ entries }) }),
  };
}
