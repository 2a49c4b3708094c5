/** A session's lifecycle state. */
export type SessionStatus = 'active' | 'ended';

/**
 * Why a session ended: `DELETE` by its client, idle past `SESSIONS_TIMEOUT_S` (or, for a
 * replica's server session, silent for 30 s), or, for a server session, its process stopped.
 */
export type EndReason = 'deleted' | 'expired' | 'stopped';

/** Metadata values are arbitrary JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type SessionMetadata = Record<string, JsonValue>;

/** The session object as the API returns it (see API.md, "Session object"). */
export interface Session {
  id: string;
  appname: string;
  mode: string;
  jobid: string | null;
  metadata: SessionMetadata;
  status: SessionStatus;
  /** ISO-8601 UTC with milliseconds. */
  created: string;
  updated: string;
  ended: string | null;
  endReason: EndReason | null;
  /** Entries held now. */
  logCount: number;
  /** Entries ever appended: the cursor that yields only newer entries. */
  logCursor: number;
  warnCount: number;
  errorCount: number;
  /** Address the session was created from (honours X-Forwarded-For only when TRUST_PROXY says so). */
  clientAddress?: string | null;
}

/** Body of `POST /sessions/{id}`, `POST /sessions/` and `PUT /sessions/{id}`. */
export interface SessionInput {
  appname?: string;
  mode?: string | null;
  jobid?: string | null;
  metadata?: SessionMetadata | null;
}

/** `status` query of `GET /sessions/`. */
export type SessionListStatus = 'active' | 'ended' | 'all';
export const SESSION_LIST_STATUSES: readonly SessionListStatus[] = ['active', 'ended', 'all'];

/** Response of `GET /sessions/` and payload of the `sessions` WebSocket event. */
export interface SessionList {
  sessions: Session[];
  serverSessionId: string;
}

/** A session id is an OID: 24 hexadecimal characters. */
export const OID_PATTERN = /^[0-9a-fA-F]{24}$/;

/** Returns the normalised (lower-case) id, or null when `value` is not an OID. */
export function parseOid(value: string): string | null {
  return OID_PATTERN.test(value) ? value.toLowerCase() : null;
}
