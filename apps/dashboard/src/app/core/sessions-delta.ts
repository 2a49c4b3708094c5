import { Session, SessionList, SessionsDeltaData } from '@zen/contract';

/**
 * A listing with a `sessions-delta` applied: upserted sessions replace their old object
 * (or join the list), removed ids leave it, and the result is ordered as a full
 * `sessions` event is: newest `created` first.
 */
export function applySessionsDelta(list: SessionList, delta: SessionsDeltaData): SessionList {
  if (delta.upserted.length === 0 && delta.removed.length === 0) return list;
  const byId = new Map<string, Session>(list.sessions.map((session) => [session.id, session]));
  for (const id of delta.removed) byId.delete(id);
  for (const session of delta.upserted) byId.set(session.id, session);
  const sessions = [...byId.values()].sort(newestCreatedFirst);
  return { ...list, sessions };
}

function newestCreatedFirst(a: Session, b: Session): number {
  return a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
