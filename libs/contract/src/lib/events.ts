import type { Static, TSchema } from '@sinclair/typebox';
import type { CLIENT_EVENT_SCHEMAS, SERVER_EVENT_SCHEMAS } from './schemas/events.schema';
import type { SessionList } from './session';

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
} as const;

type Payloads<M extends Record<string, TSchema>> = { [E in keyof M]: Static<M[E]> };

/** Server → client events and their payloads. */
export type ServerEvents = Omit<Payloads<typeof SERVER_EVENT_SCHEMAS>, 'sessions'> & {
  [WS_EVENTS.sessions]: SessionList;
};
/** Client → server events and their payloads. */
export type ClientEvents = Payloads<typeof CLIENT_EVENT_SCHEMAS>;

/** Payload of the `log` event: new entries of a subscribed session. */
export type LogEventData = ServerEvents['log'];
export type ErrorEventData = ServerEvents['error'];
export type SubscribeLogData = ClientEvents['subscribe-log'];
export type UnsubscribeLogData = ClientEvents['unsubscribe-log'];

/** A frame on the wire: `{"event": "...", "data": ...}`. */
export type WsMessage<M, K extends keyof M = keyof M> = { [E in K]: { event: E; data: M[E] } }[K];
export type ServerMessage = WsMessage<ServerEvents>;
export type ClientMessage = WsMessage<ClientEvents>;
