import type { Static, TSchema } from '@sinclair/typebox';
import type { CLIENT_EVENT_SCHEMAS, SERVER_EVENT_SCHEMAS } from './schemas/events.schema';
import { OID_PATTERN } from './oid';
import type { Session, SessionList } from './session';

// The types are the schemas' (./schemas/events.schema.ts): one statement of the protocol.

/** The WebSocket endpoint, relative to the server root (and under BASE_PATH). */
export const SESSIONS_WS_PATH = '/sessions/ws';

/** Event names, declared once: the gateway, the dashboard and the AsyncAPI document use these. */
export const WS_EVENTS = {
  sessions: 'sessions',
  log: 'log',
  error: 'error',
  subscribeLog: 'subscribe-log',
  unsubscribeLog: 'unsubscribe-log',
  subscribeSessions: 'subscribe-sessions',
  sessionsDelta: 'sessions-delta',
} as const;

type Payloads<M extends Record<string, TSchema>> = { [E in keyof M]: Static<M[E]> };

/** Server → client events and their payloads. */
export type ServerEvents = Omit<Payloads<typeof SERVER_EVENT_SCHEMAS>, 'sessions' | 'sessions-delta'> & {
  // Sessions carry the contract's SessionMetadata type (JSON values), which the schema states loosely.
  [WS_EVENTS.sessions]: SessionList;
  [WS_EVENTS.sessionsDelta]: { upserted: Session[]; removed: string[] };
};
/** Client → server events and their payloads. */
export type ClientEvents = Payloads<typeof CLIENT_EVENT_SCHEMAS>;

/** Payload of the `log` event: new entries of a subscribed session. */
export type LogEventData = ServerEvents['log'];
export type ErrorEventData = ServerEvents['error'];
export type SubscribeLogData = ClientEvents['subscribe-log'];
export type UnsubscribeLogData = ClientEvents['unsubscribe-log'];
/** `subscribe-sessions`: `delta` for a baseline and then `sessions-delta` events, `full` for periodic lists. */
export type SubscribeSessionsData = ClientEvents['subscribe-sessions'];
export type SessionsFeedMode = SubscribeSessionsData['mode'];
export type SessionsDeltaData = ServerEvents['sessions-delta'];

/** A frame on the wire: `{"event": "...", "data": ...}`. */
export type WsMessage<M, K extends keyof M = keyof M> = { [E in K]: { event: E; data: M[E] } }[K];
export type ServerMessage = WsMessage<ServerEvents>;
export type ClientMessage = WsMessage<ClientEvents>;

/**
 * Why the server refused a `subscribe-log`, as its `error` event says it: no such session
 * (`not found`), or its store could not answer (`not subscribed`: send the subscription again).
 */
export type SubscribeLogRefusal =
  | { id: string; reason: 'not found' }
  | { id: string; reason: 'not subscribed'; why: string };

/**
 * The `error` event's message for a refused `subscribe-log`: `subscribe-log: session <id> not found`
 * or `subscribe-log: session <id> not subscribed: <why>`, the id lower-case.
 */
export function formatSubscribeLogRefusal(refusal: SubscribeLogRefusal): string {
  const prefix = `${WS_EVENTS.subscribeLog}: session ${refusal.id.toLowerCase()}`;
  return refusal.reason === 'not found' ? `${prefix} not found` : `${prefix} not subscribed: ${refusal.why}`;
}

const REFUSAL = new RegExp(
  `^${WS_EVENTS.subscribeLog}: session (${OID_PATTERN.source.replace(/^\^|\$$/g, '')}) (?:(not found)|not subscribed: ([\\s\\S]*))$`,
);

/** The refusal a message of formatSubscribeLogRefusal's states (its id lower-case), or null for any other message. */
export function parseSubscribeLogRefusal(message: string): SubscribeLogRefusal | null {
  const match = REFUSAL.exec(message);
  if (!match) return null;
  const id = match[1].toLowerCase();
  return match[2] ? { id, reason: 'not found' } : { id, reason: 'not subscribed', why: match[3] };
}

/**
 * The `why` of a `subscribe-log` refused because the connection already follows `follows`
 * sessions, the most WS_MAX_SUBSCRIPTIONS (`most`) allows: sent again on that connection it is
 * refused again, so a client that follows more goes on on another connection.
 */
export function subscriptionLimitWhy(follows: number, most: number): string {
  return `this connection follows ${follows} sessions, the most WS_MAX_SUBSCRIPTIONS (${most}) allows; unsubscribe-log one first`;
}

const SUBSCRIPTION_LIMIT = /^this connection follows \d+ sessions, the most WS_MAX_SUBSCRIPTIONS \(\d+\) allows;/;

/** Whether a `not subscribed` refusal's `why` is subscriptionLimitWhy's. */
export function isSubscriptionLimitWhy(why: string): boolean {
  return SUBSCRIPTION_LIMIT.test(why);
}
