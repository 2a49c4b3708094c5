import { TSchema } from '@sinclair/typebox';
import { formatSubscribeLogRefusal, SESSIONS_WS_PATH, subscriptionLimitWhy, WS_EVENTS } from '../events';
import { plainSchema } from './common.schema';
import { CLIENT_EVENT_SCHEMAS, SERVER_EVENT_SCHEMAS } from './events.schema';

/** What each event means (API.md, "Live updates"). */
const MEANINGS: Record<string, string> = {
  [WS_EVENTS.sessions]:
    'Every session, active and ended, newest created first. In full mode (the default): at once on connect, ' +
    'then periodically (SESSIONS_WS_INTERVAL_MS), and within SESSIONS_WS_DELTA_MS of a session being created ' +
    'or ended. In delta mode: the baseline, and a fresh one whenever deltas cannot bring the client up to date ' +
    '(it was skipped for being slow, the store was away). A client replaces its whole list with it.',
  [WS_EVENTS.log]:
    'New entries of a session the client subscribed to, pushed as they are appended; a backlog may come as ' +
    'several events. `dropped` counts entries evicted before they could be sent.',
  [WS_EVENTS.error]: 'A message the server could not act on, or a subscription it ended. The connection stays open.',
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

const SESSION_ID = '5f1b2c3d4e5f6a7b8c9d0e1f';

/** The session of API.md's "Session object". */
const SESSION_EXAMPLE = {
  id: SESSION_ID,
  appname: 'UnrealEditor',
  mode: 'editor',
  jobid: 'build-4711',
  metadata: { project: 'Lyra', platform: 'Win64' },
  status: 'active',
  created: '2026-11-24T12:00:00.000Z',
  updated: '2026-11-24T12:05:00.000Z',
  ended: null,
  endReason: null,
  logCount: 120,
  logCursor: 120,
  warnCount: 3,
  errorCount: 0,
  clientAddress: '10.0.0.17',
};

/**
 * Each event's example payloads (asyncapi.spec.ts checks them against the event's schema). The
 * `error` ones are the contract's own wording of a refused or ended subscription.
 */
const EXAMPLES: Record<string, { name: string; data: unknown }[]> = {
  [WS_EVENTS.sessions]: [
    { name: 'listing', data: { sessions: [SESSION_EXAMPLE], serverSessionId: '6b1580c7cff5e9ce785eb826' } },
  ],
  [WS_EVENTS.log]: [
    {
      name: 'entries',
      data: {
        id: SESSION_ID,
        entries: [
          { seq: 118, time: '2026-11-24T12:04:59.100Z', level: 'info', message: 'Cooking Lyra' },
          {
            seq: 119,
            time: '2026-11-24T12:05:00.000Z',
            level: 'warn',
            message: 'Shader compile slow',
            data: { ms: 5120 },
          },
        ],
        cursor: 120,
        dropped: 0,
      },
    },
    {
      name: 'from cursor 0, the first 12 entries evicted',
      data: {
        id: SESSION_ID,
        entries: [{ seq: 12, time: '2026-11-24T12:00:01.250Z', level: 'info', message: 'Loading map' }],
        cursor: 13,
        dropped: 12,
      },
    },
  ],
  [WS_EVENTS.error]: [
    { name: 'not found', data: { message: formatSubscribeLogRefusal({ id: SESSION_ID, reason: 'not found' }) } },
    {
      name: 'not subscribed',
      data: {
        message: formatSubscribeLogRefusal({
          id: SESSION_ID,
          reason: 'not subscribed',
          why: subscriptionLimitWhy(1000, 1000),
        }),
      },
    },
    { name: 'bad payload', data: { message: 'subscribe-log: data.cursor must be a non-negative integer' } },
  ],
  [WS_EVENTS.sessionsDelta]: [
    {
      name: 'changes',
      data: {
        upserted: [{ ...SESSION_EXAMPLE, logCount: 121, logCursor: 121 }],
        removed: ['6b15806e25c1a7f0d3e4b9aa'],
      },
    },
  ],
  [WS_EVENTS.subscribeLog]: [
    { name: 'from a cursor', data: { id: SESSION_ID, cursor: 120 } },
    { name: 'everything held', data: { id: SESSION_ID } },
  ],
  [WS_EVENTS.unsubscribeLog]: [{ name: 'stop', data: { id: SESSION_ID } }],
  [WS_EVENTS.subscribeSessions]: [
    { name: 'deltas', data: { mode: 'delta' } },
    { name: 'full lists', data: { mode: 'full' } },
  ],
};

/** What a client can tell from an event's messages, beyond its summary. */
const DESCRIPTIONS: Record<string, string> = {
  [WS_EVENTS.error]:
    '`subscribe-log: session <id> not found`: no such session, or the followed one is gone (forgotten by ' +
    'retention): that subscription is over. `subscribe-log: session <id> not subscribed: <why>`: refused; ' +
    'sent again once its cause is gone (the store answers again; past WS_MAX_SUBSCRIPTIONS, after an ' +
    '`unsubscribe-log` or on another connection) it is taken. `subscribe-log: session <id> pending until the ' +
    'store answers: <why>`: kept; once the store answers, served from its cursor (or refused as not found). Any other message names ' +
    'what was wrong with a frame the client sent, or a store outage (subscriptions then resume from their ' +
    'cursors, `dropped` counting what was evicted meanwhile).',
};

/** One frame on the wire: `{"event": name, "data": payload}`. */
function message(event: string, payload: TSchema) {
  return {
    name: event,
    title: event,
    summary: MEANINGS[event] ?? event,
    ...(DESCRIPTIONS[event] ? { description: DESCRIPTIONS[event] } : {}),
    contentType: 'application/json',
    payload: {
      type: 'object',
      required: ['event', 'data'],
      properties: { event: { const: event }, data: plainSchema(payload) },
    },
    examples: (EXAMPLES[event] ?? []).map(({ name, data }) => ({ name, payload: { event, data } })),
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
