import type { Session, SessionInput, SessionList, SessionListStatus } from '@zen/contract';
import { Http, RequestSpec } from './http';

const path = (id: string) => `/sessions/${encodeURIComponent(id)}`;

/** The fields a session was created or updated with, as a create would send them again. */
export function sessionInputOf(session: Session): SessionInput {
  const { appname, mode, jobid, metadata } = session;
  return { appname, mode, jobid: jobid ?? undefined, metadata };
}

/**
 * The session requests that are also prepared without being sent (the session logger's exit path,
 * `Http.prepare`): stated once, here.
 */
export const sessionRequests = {
  upsert: (id: string, input: SessionInput): RequestSpec => ({ method: 'POST', path: path(id), body: input }),
  end: (id: string): RequestSpec => ({ method: 'DELETE', path: path(id) }),
};

/** The session endpoints: list, create, update, heartbeat, end, get. */
export class SessionsApi {
  constructor(private readonly http: Http) {}

  /** `GET /sessions/`: newest `created` first. */
  list(status: SessionListStatus = 'active'): Promise<SessionList> {
    return this.http.json({ method: 'GET', path: '/sessions/', query: { status } });
  }

  /** `GET /sessions/{id}`; `signal` aborts it. */
  get(id: string, options: { signal?: AbortSignal } = {}): Promise<Session> {
    return this.http.json({ method: 'GET', path: path(id), signal: options.signal });
  }

  /** `POST /sessions/`: a new session with a server-generated id. */
  create(input: SessionInput): Promise<Session> {
    return this.http.json({ method: 'POST', path: '/sessions/', body: input });
  }

  /** `POST /sessions/{id}`: creates the session, or updates an active one (metadata keys merge). */
  upsert(id: string, input: SessionInput): Promise<Session> {
    return this.http.json(sessionRequests.upsert(id, input));
  }

  /** `POST /sessions/{id}` with an empty body: keeps the session alive. */
  heartbeat(id: string): Promise<Session> {
    return this.http.json({ method: 'POST', path: path(id) });
  }

  /** `PUT /sessions/{id}`: updates an active session; `metadata`, when given, replaces the stored one. */
  replace(id: string, input: SessionInput): Promise<Session> {
    return this.http.json({ method: 'PUT', path: path(id), body: input });
  }

  /** `DELETE /sessions/{id}`: ends the session (again: no change). */
  end(id: string): Promise<Session> {
    return this.http.json(sessionRequests.end(id));
  }
}
