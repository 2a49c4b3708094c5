import { ServerMessage, Session, SessionList, SessionsDeltaData } from '@zen/contract';

/**
 * What a delta client holds after `frames`, kept by the README's rule (not by the product's
 * code, so that the two can disagree): a `sessions` event replaces the list; a
 * `sessions-delta` drops `removed`, replaces known sessions in place and puts unknown ones on
 * top, in the order of `upserted`.
 */
export function replay(frames: ServerMessage[]): Session[] {
  let list: Session[] = [];
  for (const frame of frames) {
    if (frame.event === 'sessions') list = (frame.data as SessionList).sessions;
    if (frame.event !== 'sessions-delta') continue;
    const delta = frame.data as SessionsDeltaData;
    const removed = new Set(delta.removed);
    list = list.filter((session) => !removed.has(session.id));
    const at = new Map(list.map((session, i) => [session.id, i]));
    const fresh: Session[] = [];
    for (const session of delta.upserted) {
      const i = at.get(session.id);
      if (i === undefined) fresh.push(session);
      else list[i] = session;
    }
    list = [...fresh, ...list];
  }
  return list;
}
