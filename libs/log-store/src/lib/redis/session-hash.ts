import { EndReason, SessionMetadata, SessionStatus } from '@zen/contract';
import { LogCounters } from '../log-store';
import { SessionFields, SessionRecord } from '../session-record';
import { ListedSession } from './session-cache';

/** A session hash as Redis answers HGETALL: field → value, all strings. */
export type SessionHash = Record<string, string>;

/** The field/value pairs of a new session's hash (its log counters are the create script's). */
export function newSessionPairs(record: SessionRecord): string[] {
  const pairs = ['appname', record.appname, 'mode', record.mode, 'metadata', JSON.stringify(record.metadata)];
  pairs.push('status', 'active', 'created', String(record.created), 'updated', String(record.updated));
  pairs.push('server', record.server ? '1' : '0', 'order', String(record.order), 'version', '1');
  if (record.jobid !== null) pairs.push('jobid', record.jobid);
  if (record.clientAddress !== null) pairs.push('clientAddress', record.clientAddress);
  return pairs;
}

/** The pairs to set and the fields to delete for an update (`jobid: null` deletes the job id). */
export function updatePairs(fields: SessionFields): { set: string[]; remove: string[] } {
  const set: string[] = [];
  const remove: string[] = [];
  if (fields.appname !== undefined) set.push('appname', fields.appname);
  if (fields.mode !== undefined) set.push('mode', fields.mode);
  if (fields.jobid === null) remove.push('jobid');
  else if (fields.jobid !== undefined) set.push('jobid', fields.jobid);
  if (fields.metadata !== undefined) set.push('metadata', JSON.stringify(fields.metadata));
  return { set, remove };
}

/** Whether the hash holds a session (a bare log, made by LogStore.create alone, does not). */
export function isSession(hash: SessionHash | null | undefined): hash is SessionHash {
  return hash !== null && hash !== undefined && hash['status'] !== undefined;
}

export function counters(hash: SessionHash): LogCounters {
  return {
    logCount: Number(hash['held'] ?? 0),
    logCursor: Number(hash['cursor'] ?? 0),
    warnCount: Number(hash['warn'] ?? 0),
    errorCount: Number(hash['error'] ?? 0),
  };
}

export function toRecord(id: string, hash: SessionHash): SessionRecord {
  const ended = hash['ended'];
  return new SessionRecord({
    id,
    appname: hash['appname'],
    mode: hash['mode'] ?? '',
    jobid: hash['jobid'] ?? null,
    metadata: parseMetadata(hash['metadata']),
    status: hash['status'] as SessionStatus,
    created: Number(hash['created']),
    updated: Number(hash['updated']),
    ended: ended === undefined ? null : Number(ended),
    endReason: (hash['endReason'] as EndReason | undefined) ?? null,
    log: counters(hash),
    clientAddress: hash['clientAddress'] ?? null,
    server: hash['server'] === '1',
    // The INCR that numbered the create: the same on every replica.
    order: Number(hash['order'] ?? 0),
  });
}

/** A session as a listing keeps it: the record, and its end order in the ended index. */
export function listedSession(id: string, hash: SessionHash): ListedSession {
  return { record: toRecord(id, hash), endOrder: Number(hash['endOrder'] ?? 0) };
}

/** A flat [field, value, ...] array (HGETALL inside a script) as a hash. */
export function pairsToHash(pairs: string[]): SessionHash {
  const hash: SessionHash = Object.create(null);
  for (let i = 0; i + 1 < pairs.length; i += 2) hash[pairs[i]] = pairs[i + 1];
  return hash;
}

/** Stored JSON back into a null-prototype object: keys such as `__proto__` stay plain data. */
function parseMetadata(json: string | undefined): SessionMetadata {
  const metadata: SessionMetadata = Object.create(null);
  if (json === undefined) return metadata;
  const parsed = JSON.parse(json) as SessionMetadata;
  for (const key of Object.keys(parsed)) metadata[key] = parsed[key];
  return metadata;
}
