import { ApiError } from '../errors';
import type { SessionsClient } from '../rest/sessions-client';
import { lookupOf } from './session-lookup';

/** A SessionsClient whose `GET /sessions/{id}` answers with `get`. */
function clientAnswering(get: (id: string) => Promise<{ created: string }>): SessionsClient {
  return { sessions: { get } } as unknown as SessionsClient;
}

describe('lookupOf', () => {
  it('has no lookup without the option, and uses a function as it is', () => {
    const lookup = async () => null;
    expect(lookupOf(undefined)).toBeNull();
    expect(lookupOf(lookup)).toBe(lookup);
  });

  it('asks a SessionsClient for the session, a 404 meaning there is none', async () => {
    const created = '2026-01-01T00:00:00.000Z';
    expect(await lookupOf(clientAnswering(async () => ({ created })))?.('a')).toEqual({ created });
    const missing = clientAnswering(async (id) => Promise.reject(new ApiError(404, `session ${id} not found`)));
    expect(await lookupOf(missing)?.('a')).toBeNull();
  });

  it('rejects when the server could not tell, so that the check asks again', async () => {
    const down = clientAnswering(async () => Promise.reject(new ApiError(503, 'unavailable')));
    await expect(lookupOf(down)?.('a')).rejects.toThrow('unavailable');
  });
});
