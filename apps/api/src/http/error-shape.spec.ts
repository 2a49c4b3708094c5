import { Logger } from '@nestjs/common';
import {
  InvalidEntryError,
  LogNotFoundError,
  LogStoreError,
  ServerSessionError,
  SessionEndedError,
  SessionExistsError,
  SessionNotFoundError,
  StoreUnavailableError,
  TooManyEntriesError,
  TooManySessionsError,
} from '@zen/log-store';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { sendError } from './error-shape';

const ID = 'abcdefabcdefabcdefabcdef';

/** Each domain error of the engine, and the answer the contract gives for it. */
const CASES: [LogStoreError, number, string][] = [
  [new InvalidEntryError('entries must be an array'), 400, 'Bad Request'],
  [new ServerSessionError(ID), 403, 'Forbidden'],
  [new SessionNotFoundError(ID), 404, 'Not Found'],
  [new LogNotFoundError(ID), 404, 'Not Found'],
  [new SessionEndedError(ID), 409, 'Conflict'],
  [new SessionExistsError(ID), 409, 'Conflict'],
  [
    new TooManyEntriesError('the request holds 3 entries; at most 2 are allowed (MAX_BATCH_ENTRIES)'),
    413,
    'Payload Too Large',
  ],
  [new TooManySessionsError(5), 429, 'Too Many Requests'],
  [new StoreUnavailableError('the log store cannot be reached'), 503, 'Service Unavailable'],
  [
    new StoreUnavailableError('the log store is unavailable: too many large reads at once', { retryAfterSeconds: 1 }),
    503,
    'Service Unavailable',
  ],
];

describe('domain errors over HTTP (real server)', () => {
  let server: Server;
  let base: string;
  const logger = new Logger('test');

  beforeAll(async () => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    server = createServer((req, res) => sendError(res, CASES[Number(req.url?.slice(1))][0], logger));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it.each(CASES.map(([error, status, name], index) => [error.name, status, name, error.message, index] as const))(
    'answers %s with %i in the error shape, its message unchanged',
    async (_, status, name, message, index) => {
      const res = await fetch(`${base}/${index}`);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ statusCode: status, error: name, message });
    },
  );

  it('sends Retry-After with a 503 only when the store said when to retry (too many large reads at once)', async () => {
    const down = CASES.findIndex(([error]) => error instanceof StoreUnavailableError);
    expect((await fetch(`${base}/${down}`)).headers.get('retry-after')).toBeNull();
    expect((await fetch(`${base}/${down + 1}`)).headers.get('retry-after')).toBe('1');
  });

  it('logs none of them as an unhandled error', () => {
    expect(logger.error).not.toHaveBeenCalled();
  });
});
