import { LogCursorPage } from './log';
import { Session, SessionList } from './session';

/** The WebSocket endpoint, relative to the server root (and under BASE_PATH). */
export const SESSIONS_WS_PATH = '/sessions/ws';

/** Event names, declared once: the gateway and the dashboard both use these. */
export const WS_EVENTS = {
  sessions: 'sessions',
  log: 'log',
  error: 'error',
  subscribeLog: 'subscribe-log',
  unsubscribeLog: 'unsubscribe-log',
  subscribeSessions: 'subscribe-sessions',
  sessionsDelta: 'sessions-delta',
} as const;

/** Payload of the `log` event: new entries of a subscribed session. */
export interface LogEventData extends LogCursorPage {
  id: string;
}

export interface ErrorEventData {
  message: string;
}

export interface SubscribeLogData {
  id: string;
  /** Defaults to 0. */
  cursor?: number;
}

export interface UnsubscribeLogData {
  id: string;
}

/** `subscribe-sessions`: `delta` for a baseline and then `sessions-delta` events, `full` for periodic lists. */
export type SessionsFeedMode = 'delta' | 'full';

export interface SubscribeSessionsData {
  mode: SessionsFeedMode;
}

/**
 * Payload of `sessions-delta`: the whole current object of every session created or
 * changed since the previous event, and the ids the server forgot.
 */
export interface SessionsDeltaData {
  upserted: Session[];
  removed: string[];
}

/** Server → client events and their payloads. */
export interface ServerEvents {
  [WS_EVENTS.sessions]: SessionList;
  [WS_EVENTS.log]: LogEventData;
  [WS_EVENTS.error]: ErrorEventData;
  [WS_EVENTS.sessionsDelta]: SessionsDeltaData;
}

/** Client → server events and their payloads. */
export interface ClientEvents {
  [WS_EVENTS.subscribeLog]: SubscribeLogData;
  [WS_EVENTS.unsubscribeLog]: UnsubscribeLogData;
  [WS_EVENTS.subscribeSessions]: SubscribeSessionsData;
}

/** A frame on the wire: `{"event": "...", "data": ...}`. */
export type WsMessage<M, K extends keyof M = keyof M> = { [E in K]: { event: E; data: M[E] } }[K];
export type ServerMessage = WsMessage<ServerEvents>;
export type ClientMessage = WsMessage<ClientEvents>;
