import { Parser } from '@asyncapi/parser';
import { JSON_HEADERS, REPO, WsTestClient } from '@zen/testing';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RunningApp, startApp } from '../testing/running-app';

const ID = 'a5a5a5a5a5a5a5a5a5a5a5a5';

interface Message {
  name: string;
  payload: object;
}
interface AsyncApi {
  info: { version: string };
  channels: { live: { address: string; messages: Record<string, Message> } };
}

/** docs/asyncapi.yaml, the WebSocket's description in the repository. */
const published = (): AsyncApi => parse(readFileSync(join(REPO, 'docs/asyncapi.yaml'), 'utf8'));

describe('the AsyncAPI document, served by the running server (BASE_PATH /zen)', () => {
  let server: RunningApp;
  let served: AsyncApi;

  beforeAll(async () => {
    server = await startApp({ BASE_PATH: '/zen', SESSIONS_WS_DELTA_MS: '20' });
    const res = await fetch(`${server.url}/api-docs/asyncapi.json`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    served = (await res.json()) as AsyncApi;
  });
  afterAll(() => server.close());

  it('is docs/asyncapi.yaml, with the WebSocket at its path under BASE_PATH', () => {
    const expected = published();
    expected.channels.live.address = '/zen/sessions/ws';
    expect(served).toEqual(expected);
  });

  it('is valid AsyncAPI 3 for the standard parser, without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(served));
    expect(
      diagnostics.filter((diagnostic) => diagnostic.severity === 0).map((diagnostic) => diagnostic.message),
    ).toEqual([]);
    expect(document?.channels().get('live')?.address()).toBe('/zen/sessions/ws');
  });

  it('is what the OpenAPI document names for the WebSocket’s messages, where it is served', async () => {
    const openApi = (await (await fetch(`${server.url}/api-docs/json`)).json()) as {
      info: { description: string };
      paths: Record<string, { get: { summary: string } }>;
    };
    expect(openApi.info.description).toContain('/zen/api-docs/asyncapi.json');
    expect(openApi.info.description).not.toContain('docs/asyncapi.yaml');
    expect(openApi.paths['/zen/sessions/ws'].get.summary).toContain('/zen/api-docs/asyncapi.json');
  });

  it('describes every frame a real client gets at the address it names: sessions, log, error, sessions-delta', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const byEvent = new Map(
      Object.values(served.channels.live.messages).map((message) => [message.name, ajv.compile(message.payload)]),
    );
    const root = server.url.slice(0, -'/zen'.length).replace(/^http/, 'ws');
    const client = new WsTestClient(`${root}${served.channels.live.address}`);
    await client.opened();
    try {
      await fetch(`${server.url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"doc"}' });
      client.send('subscribe-sessions', { mode: 'delta' });
      client.send('subscribe-log', { id: ID, cursor: 0 });
      client.send('subscribe-log', { id: 'not-an-id' });
      await fetch(`${server.url}/sessions/${ID}/log`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({
          entries: [{ message: 'plain' }, { level: 'warn', message: 'with data', data: { n: 1 } }],
        }),
      });
      await client.until((frames) =>
        ['sessions', 'log', 'error', 'sessions-delta'].every((event) => frames.some((frame) => frame.event === event)),
      );
      for (const frame of client.frames) {
        const validate = byEvent.get(frame.event);
        expect([frame.event, validate?.(frame) ? [] : (validate?.errors ?? 'no message of this name')]).toEqual([
          frame.event,
          [],
        ]);
      }
    } finally {
      client.close();
    }
  });
});
