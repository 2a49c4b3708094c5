import { namedLimit } from '@zen/contract';
import { ApiError } from './errors';

// What a server's refusals say about it: the limits they name, and a session that is not there.

/**
 * The message limit a server's `400` names (`... is longer than N bytes (MAX_MESSAGE_BYTES)`),
 * or null when the answer names none: what a sender splits its messages to from then on.
 */
export function namedMessageLimit(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const limit = namedLimit(error.message, 'MAX_MESSAGE_BYTES') ?? 0;
  return limit >= 4 ? limit : null;
}

/** The data limit a `400` names (`... data is larger than N bytes serialised (MAX_DATA_BYTES)`), or null. */
export function namedDataLimit(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const limit = namedLimit(error.message, 'MAX_DATA_BYTES') ?? 0;
  return limit >= 1 ? limit : null;
}

/** The entry limit a `413` names (`... at most N are allowed (MAX_BATCH_ENTRIES)`), or null. */
export function namedBatchEntries(error: unknown): number | null {
  return isTooLarge(error) ? namedLimit(error.message, 'MAX_BATCH_ENTRIES') : null;
}

/** The body limit a `413` names (`request body is larger than N bytes (MAX_BODY_BYTES)`), or null. */
export function namedBodyBytes(error: unknown): number | null {
  return isTooLarge(error) ? namedLimit(error.message, 'MAX_BODY_BYTES') : null;
}

/** The server's answer to a `POST /sessions/{id}` without `appname` for a session that does not exist. */
export function isCreateWithoutAppname(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && /appname is required/.test(error.message);
}

/**
 * A refusal of a session's metadata (`400`: too many keys, a key too long, too large, alone or
 * after merging with the stored metadata), or a `413` (a body too large: what makes a session's
 * request large is its metadata).
 */
export function isMetadataRefusal(error: unknown): boolean {
  if (isTooLarge(error)) return true;
  if (!(error instanceof ApiError) || error.status !== 400) return false;
  const problems = Array.isArray(error.body?.message) ? error.body.message : [error.message];
  return problems.every((problem) => /^metadata\b/.test(problem));
}

function isTooLarge(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 413;
}
