import { EntryBatch } from './entry-batch';
import { EntryLimits, parseJsonEntries, parseTextEntries } from './entry-parsers';
import { MalformedJsonError } from './errors';
import { scanJsonBatch, ScannedBatch, stampedBatch } from './json-batch-scanner';

/**
 * An append's body, read as far as it can be before the session's state is checked: our
 * clients' canonical batch scanned from the bytes, any other JSON parsed (a malformed body
 * is refused for what it is, whatever the session), text kept as its bytes.
 */
export type AppendBody =
  | { kind: 'scanned'; scanned: ScannedBatch }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; bytes: Buffer };

/**
 * Reads an append body (see AppendBody). `ascii`: every byte is below 0x80 (the body
 * reader checked it with the UTF-8 check). The API, the bench's same-store baseline and the
 * spec that holds the parsers to the contract's schema all read appends through this and
 * `appendBatch`, so none restates the order.
 */
export function readAppendBody(bytes: Buffer, ascii: boolean, json: boolean, limits: EntryLimits): AppendBody {
  if (!json) return { kind: 'text', bytes };
  const scanned = scanJsonBatch(bytes, ascii, limits);
  return scanned ? { kind: 'scanned', scanned } : { kind: 'json', value: parseJsonBody(bytes, ascii) };
}

/** The batch an append body holds, every entry without a time stamped `now` (the time of receipt). */
export function appendBatch(body: AppendBody, limits: EntryLimits, now: number): EntryBatch {
  switch (body.kind) {
    case 'scanned':
      return stampedBatch(body.scanned, now);
    case 'json':
      return parseJsonEntries(body.value, limits, now);
    case 'text':
      return parseTextEntries(body.bytes, limits, now);
  }
}

/**
 * A JSON request body's value. An all-ASCII body (the usual log batch) decodes as ASCII: 4x
 * faster than the UTF-8 decoder on a 1 MiB body, for the same string (docs/performance.md,
 * "The run round").
 */
export function parseJsonBody(bytes: Buffer, ascii: boolean): unknown {
  try {
    return JSON.parse(bytes.toString(ascii ? 'ascii' : 'utf8'));
  } catch (error) {
    throw new MalformedJsonError(`malformed JSON in request body: ${(error as Error).message}`);
  }
}
