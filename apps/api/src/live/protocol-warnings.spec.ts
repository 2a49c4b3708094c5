import { eventually, JSON_HEADERS, WsTestClient } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';
import { ProtocolWarnings, WARNING_WINDOW_MS } from './protocol-warnings';

/** The entries of `server`'s own session whose message contains `text`. */
async function serverLog(server: RunningApp, text: string): Promise<{ level: string; message: string }[]> {
  const { serverSessionId } = await (await fetch(`${server.url}/sessions/`)).json();
  const query = new URLSearchParams({ q: text, limit: '10000' });
  return (await (await fetch(`${server.url}/sessions/${serverSessionId}/log?${query}`)).json()).entries;
}

describe('ProtocolWarnings', () => {
  afterEach(() => jest.useRealTimers());

  it('logs so many a minute one by one, then one line counting the rest at the end of the minute', () => {
    jest.useFakeTimers();
    const lines: string[] = [];
    const warnings = new ProtocolWarnings(2, (line) => lines.push(line));
    for (const address of ['a', 'b', 'c', 'd', 'e']) warnings.report(address, 'Max payload size exceeded');
    expect(lines).toEqual([
      'WebSocket client a closed: Max payload size exceeded',
      'WebSocket client b closed: Max payload size exceeded',
    ]);
    jest.advanceTimersByTime(WARNING_WINDOW_MS);
    expect(lines.slice(2)).toEqual([
      '3 more WebSocket clients broke the protocol in the last minute, not logged one by one past ' +
        'WS_MAX_PROTOCOL_WARNINGS_PER_MIN (2); the last: WebSocket client e closed: Max payload size exceeded',
    ]);
    // A new minute: one by one again, and nothing to count at its end.
    warnings.report('f', 'Invalid UTF-8 sequence');
    jest.advanceTimersByTime(WARNING_WINDOW_MS);
    expect(lines.slice(3)).toEqual(['WebSocket client f closed: Invalid UTF-8 sequence']);
    warnings.stop();
  });
});

// Found by the review of stop 42: a client breaking the protocol in a loop pushed everything else,
// start-up lines included, out of the server session's capped log, one warning per connection.
describe('warnings about clients that break the WebSocket protocol (real server)', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startApp({ WS_MAX_PROTOCOL_WARNINGS_PER_MIN: '2', WS_MAX_PAYLOAD_BYTES: '1024' });
  });
  afterAll(() => server.close());

  it('logs at most WS_MAX_PROTOCOL_WARNINGS_PER_MIN of them a minute', async () => {
    for (let i = 0; i < 5; i++) {
      const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
      await client.opened();
      client.ws.send('x'.repeat(2000));
      await client.until(() => client.closeCode !== null);
      expect(client.closeCode).toBe(1009);
    }
    // A line logged after the five: once it is in the log, whatever they logged is too.
    const marker = 'abcdefabcdefabcdefabcdef';
    await fetch(`${server.url}/sessions/${marker}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"m"}' });
    await eventually(async () => expect(await serverLog(server, `session ${marker} created`)).toHaveLength(1));
    const warnings = await serverLog(server, 'WebSocket client 127.0.0.1');
    expect(warnings).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('closed: Max payload size exceeded') }),
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('closed: Max payload size exceeded') }),
    ]);
  });
});

describe('a message over WS_MAX_PAYLOAD_BYTES (real server)', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startApp({ WS_MAX_PAYLOAD_BYTES: '1024' });
  });
  afterAll(() => server.close());

  it('closes a connection sending a message over WS_MAX_PAYLOAD_BYTES with 1009, its reason naming the limit and its variable', async () => {
    // ws closes it with no reason: a client author saw 1009 alone and could not tell what to change.
    const client = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await client.opened();
    client.ws.send(JSON.stringify({ event: 'subscribe-sessions', data: { pad: 'x'.repeat(2000) } }));
    await client.until(() => client.closeCode !== null);
    expect([client.closeCode, client.closeReason]).toEqual([
      1009,
      'a message over WS_MAX_PAYLOAD_BYTES (1024 bytes) was sent; send smaller ones or raise it',
    ]);
    // The server's log names them too, for its operator.
    await eventually(async () =>
      expect(await serverLog(server, 'Max payload size exceeded (over WS_MAX_PAYLOAD_BYTES, 1024 bytes)')).not.toEqual(
        [],
      ),
    );
    // A frame within the limit on another connection is read as ever.
    const other = new WsTestClient(`${server.wsUrl}/sessions/ws`);
    await other.opened();
    other.ws.send('x'.repeat(1000));
    await other.until(() => other.of('error').length === 1);
    expect(other.closeCode).toBeNull();
    other.ws.close();
  });
});
