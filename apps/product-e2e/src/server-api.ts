import { appendLines, createSession, JSON_HEADERS } from '@zen/testing';

/**
 * The REST calls a browser test sets its scene with, against the server at `base()` (read at
 * each call: the server starts in `beforeAll`, after the helpers are made).
 */
export function serverApi(base: () => string) {
  const api = (path: string, init?: RequestInit) => fetch(`${base()}/${path}`, init);
  const create = (id: string, body: object) => createSession(base(), id, body);
  const appendEntries = (id: string, entries: object[]) =>
    api(`sessions/${id}/log`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ entries }) });
  const appendText = (id: string, lines: string[]) => appendLines(base(), id, lines);
  return {
    api,
    create,
    appendText,
    appendEntries,
    /**
     * Creates the sessions `ids` of the app "CookAgent", then appends 100 lines to each,
     * `<the id's last character> line <n>`, ten at a time by turns: a merged log whose
     * sessions' lines alternate in runs.
     */
    interleaved: async (ids: string[]) => {
      for (const id of ids) await create(id, { appname: 'CookAgent' });
      for (let batch = 0; batch < 10; batch++)
        for (const id of ids)
          await appendText(
            id,
            Array.from({ length: 10 }, (_, i) => `${id.slice(-1)} line ${batch * 10 + i}`),
          );
    },
    /**
     * Creates a session of the app "Timeline" (the histogram tests' scene) with `count` entries
     * `stepMs` apart from 2026-11-24 12:00 UTC, each `entry(i)` with its time added; `extra`
     * entries are appended after them in the same batch.
     */
    timeline: async (id: string, count: number, entry: (i: number) => object, stepMs = 1000, extra: object[] = []) => {
      await create(id, { appname: 'Timeline' });
      const times = Array.from({ length: count }, (_, i) => ({
        ...entry(i),
        time: new Date(TIMELINE_START + i * stepMs).toISOString(),
      }));
      await appendEntries(id, [...times, ...extra]);
    },
  };
}

/** When a `timeline` session's first entry is dated. */
const TIMELINE_START = Date.parse('2026-11-24T12:00:00.000Z');
