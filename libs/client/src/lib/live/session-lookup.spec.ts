import { createServer, Socket } from 'node:net';
import { eventually } from '@zen/testing';
import { ApiError } from '../errors';
import { SessionsClient } from '../rest/sessions-client';
import { lookupOf } from './session-lookup';

/** A SessionsClient whose `GET /sessions/{id}` answers with `get`, and whose log's cursor is `cursor`. */
function clientAnswering(get: (id: string) => Promise<{ created: string }>, cursor = 0): SessionsClient {
  return { sessions: { get }, logs: { page: async () => ({ cursor }) } } as unknown as SessionsClient;
}

describe('lookupOf', () => {
  const unaborted = new AbortController().signal;
  it('has no lookup without the option, and uses a function as it is', () => {
    const lookup = async () => null;
    expect(lookupOf(undefined)).toBeNull();
    expect(lookupOf(lookup)).toBe(lookup);
  });

  it('asks a SessionsClient for the session and its log s cursor, a 404 meaning there is none', async () => {
    const created = '2026-01-01T00:00:00.000Z';
    expect(await lookupOf(clientAnswering(async () => ({ created }), 7))?.('a', unaborted)).toEqual({
      created,
      logCursor: 7,
    });
    const missing = clientAnswering(async (id) => Promise.reject(new ApiError(404, `session ${id} not found`)));
    expect(await lookupOf(missing)?.('a', unaborted)).toBeNull();
  });

  it('rejects when the server could not tell, so that the check asks again', async () => {
    const down = clientAnswering(async () => Promise.reject(new ApiError(503, 'unavailable')));
    await expect(lookupOf(down)?.('a', unaborted)).rejects.toThrow('unavailable');
  });

  it('aborts the request in flight when its signal aborts: rejects with the reason, not after the client s timeout', async () => {
    // A server that accepts and never answers (a wedged server): only the abort ends the request.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const { port } = silent.address() as { port: number };
    try {
      const lookup = lookupOf(new SessionsClient({ server: `http://127.0.0.1:${port}`, timeoutMs: 600_000 }));
      const asking = new AbortController();
      const answer = lookup?.('a', asking.signal).catch((error: unknown) => error);
      await eventually(() => sockets.length > 0, 10_000, 'the request');
      asking.abort(new Error('no longer wanted'));
      expect(await answer).toEqual(new Error('no longer wanted'));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
    }
  });
});
