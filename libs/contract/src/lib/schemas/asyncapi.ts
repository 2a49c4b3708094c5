import { TSchema } from '@sinclair/typebox';
import { SESSIONS_WS_PATH, WS_EVENTS } from '../events';
import { plainSchema } from './common.schema';
import { CLIENT_EVENT_SCHEMAS, SERVER_EVENT_SCHEMAS } from './events.schema';

/** What each event means (API.md, "Live updates"). */
const MEANINGS: Record<string, string> = {
  [WS_EVENTS.sessions]:
    'Every session, active and ended, newest created first. Sent at once on connect, then periodically ' +
    '(SESSIONS_WS_INTERVAL_MS), and sooner after a change.',
  [WS_EVENTS.log]:
    'New entries of a session the client subscribed to, pushed as they are appended; a backlog may come as ' +
    'several events. `dropped` counts entries evicted before they could be sent.',
  [WS_EVENTS.error]: 'A message the server could not act on. The connection stays open.',
  [WS_EVENTS.subscribeLog]:
    'Follow a session: the server sends everything from `cursor` (default 0) and then pushes new entries. ' +
    'Subscribing again to the same session replaces the subscription.',
  [WS_EVENTS.unsubscribeLog]: 'Stop following a session; unsubscribing from one not followed does nothing.',
  [WS_EVENTS.subscribeSessions]:
    '`delta`: no more periodic full lists; one full `sessions` event at once (the baseline), then ' +
    '`sessions-delta` events. `full`: back to the periodic full list.',
  [WS_EVENTS.sessionsDelta]:
    'What changed since the previous event, within SESSIONS_WS_DELTA_MS of the change: the whole current ' +
    'object of every session created or changed, and the ids the server forgot. Applied in order to the ' +
    'baseline they give the list a full `sessions` event would carry.',
};

/** One frame on the wire: `{"event": name, "data": payload}`. */
function message(event: string, payload: TSchema) {
  return {
    name: event,
    title: event,
    summary: MEANINGS[event] ?? event,
    contentType: 'application/json',
    payload: {
      type: 'object',
      required: ['event', 'data'],
      properties: { event: { const: event }, data: plainSchema(payload) },
    },
  };
}

const key = (event: string) => event.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * The WebSocket protocol as an AsyncAPI 3 document, generated from the contract's event
 * map: docs/asyncapi.yaml is this, written out (asyncapi.spec.ts keeps the two equal).
 * Operations are the server's: it sends the server events and receives the client's.
 */
export function asyncApiDocument(version: string) {
  const server = Object.entries(SERVER_EVENT_SCHEMAS);
  const client = Object.entries(CLIENT_EVENT_SCHEMAS);
  const messages = Object.fromEntries(
    [...server, ...client].map(([event, payload]) => [key(event), message(event, payload)]),
  );
  const operation = (action: 'send' | 'receive', event: string) => [
    `${action}${key(event).replace(/^./, (c) => c.toUpperCase())}`,
    {
      action,
      channel: { $ref: '#/channels/live' },
      summary: MEANINGS[event],
      messages: [{ $ref: `#/channels/live/messages/${key(event)}` }],
    },
  ];
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'zen-sessions live updates',
      version,
      description:
        'The WebSocket at /sessions/ws (under BASE_PATH): JSON text frames {"event": "...", "data": ...} in both ' +
        'directions. With AUTH_READ_TOKEN set, the upgrade needs the token (Authorization: Bearer, or ' +
        '?access_token=). A plain HTTP request to the path is answered 426. Generated from @zen/contract.',
    },
    channels: {
      live: { address: SESSIONS_WS_PATH, title: 'Live updates', messages },
    },
    operations: Object.fromEntries([
      ...server.map(([event]) => operation('send', event)),
      ...client.map(([event]) => operation('receive', event)),
    ]),
  };
}
