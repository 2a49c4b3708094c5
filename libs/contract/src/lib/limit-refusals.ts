/**
 * The refusals that name a configured limit, as the server words them and as a client reads the
 * limit back out of them to fit its next requests (the session logger, `zen-sessions log`): one
 * statement of each, so that the two cannot drift apart.
 */

/** The settings a refusal names, each with the words before the number's setting. */
type NamedLimit = 'MAX_BODY_BYTES' | 'MAX_MESSAGE_BYTES' | 'MAX_DATA_BYTES' | 'MAX_BATCH_ENTRIES';

/** A `413`: the request body is over MAX_BODY_BYTES. */
export function bodyTooLarge(limit: number): string {
  return `request body is larger than ${limit} bytes (MAX_BODY_BYTES)`;
}

/** A `400`: `what` (`line 3`, `entries[2].message`) is over MAX_MESSAGE_BYTES. */
export function messageTooLong(what: string, limit: number): string {
  return `${what} is longer than ${limit} bytes (MAX_MESSAGE_BYTES)`;
}

/** A `400`: `what` (`data`, `entries[2].data`) is over MAX_DATA_BYTES serialised. */
export function dataTooLarge(what: string, limit: number): string {
  return `${what} is larger than ${limit} bytes serialised (MAX_DATA_BYTES)`;
}

/** A `413`: a batch of `count` entries is over MAX_BATCH_ENTRIES. */
export function tooManyEntries(count: number, limit: number): string {
  return `the request holds ${count} entries; at most ${limit} are allowed (MAX_BATCH_ENTRIES)`;
}

const NAMED: Record<NamedLimit, RegExp> = {
  MAX_BODY_BYTES: /larger than (\d+) bytes \(MAX_BODY_BYTES\)/,
  MAX_MESSAGE_BYTES: /longer than (\d+) bytes \(MAX_MESSAGE_BYTES\)/,
  MAX_DATA_BYTES: /larger than (\d+) bytes serialised \(MAX_DATA_BYTES\)/,
  MAX_BATCH_ENTRIES: /at most (\d+) are allowed \(MAX_BATCH_ENTRIES\)/,
};

/** The value of `setting` a refusal's message names, or null when it names none. */
export function namedLimit(message: string, setting: NamedLimit): number | null {
  const named = NAMED[setting].exec(message);
  return named ? Number(named[1]) : null;
}
