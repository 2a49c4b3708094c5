import { JSON_HEADERS } from '@zen/testing';

/** The app under test, or any server reached at a URL. */
interface Reachable {
  url: string;
}

/** Creates session `id` of app `appname` through `server` (POST /sessions/{id}); its answer. */
export function createSession(server: Reachable, id: string, appname: string): Promise<Response> {
  return fetch(`${server.url}/sessions/${id}`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ appname }),
  });
}

/** Appends `lines` to session `id` through `server` as one text/plain body, joined by line breaks; its answer. */
export function appendLines(server: Reachable, id: string, lines: string[]): Promise<Response> {
  return fetch(`${server.url}/sessions/${id}/log`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: lines.join('\n'),
  });
}
