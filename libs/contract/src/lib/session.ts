import type { Static } from '@sinclair/typebox';
import type { sessionInputSchema, SessionListSchema, SessionSchema } from './schemas/session.schema';

// The types are the schemas' (./schemas): one statement of each shape.

export const SESSION_STATUSES = ['active', 'ended'] as const;
/** A session's lifecycle state. */
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const END_REASONS = ['deleted', 'expired', 'stopped'] as const;
/**
 * Why a session ended: `DELETE` by its client, idle past `SESSIONS_TIMEOUT_S` (or, for a
 * replica's server session, silent for 30 s), or, for a server session, its process stopped.
 */
export type EndReason = (typeof END_REASONS)[number];

/** Metadata values are arbitrary JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type SessionMetadata = Record<string, JsonValue>;

/** The session object as the API returns it (see API.md, "Session object"). */
export type Session = Omit<Static<typeof SessionSchema>, 'metadata'> & { metadata: SessionMetadata };

/** Body of `POST /sessions/{id}`, `POST /sessions/` and `PUT /sessions/{id}`. */
export type SessionInput = Omit<Static<ReturnType<typeof sessionInputSchema>>, 'metadata'> & {
  metadata?: SessionMetadata | null;
};

export const SESSION_LIST_STATUSES = ['active', 'ended', 'all'] as const;
/** `status` query of `GET /sessions/`. */
export type SessionListStatus = (typeof SESSION_LIST_STATUSES)[number];

/** Response of `GET /sessions/` and payload of the `sessions` WebSocket event. */
export type SessionList = Omit<Static<typeof SessionListSchema>, 'sessions'> & { sessions: Session[] };

export { OID_PATTERN, parseOid } from './oid';
