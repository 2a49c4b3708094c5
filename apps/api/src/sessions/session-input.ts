import { BadRequestException } from '@nestjs/common';
import { Limits, SessionMetadata } from '@zen/contract';
import { sessionInputSchema } from '@zen/contract/schemas';
import { OUT_OF_RANGE, outOfRangeNumberPath, SessionFields } from '@zen/log-store';
import { ContractValidator } from '../common/contract-validator';
import { quotedMarked } from '../common/quoted';

/**
 * Checks session bodies against the contract's schema with the configured limits (built
 * once per server), and what a schema cannot say: metadata's serialised size, after a merge too.
 */
export class SessionInputValidator {
  private readonly validator: ContractValidator<ReturnType<typeof sessionInputSchema>>;

  constructor(private readonly limits: Limits) {
    this.validator = new ContractValidator(sessionInputSchema(limits));
  }

  /**
   * Parses a create/update body into the fields it sets (metadata as a null-prototype copy);
   * `undefined` is the empty body. `appname` is required only to create: there `null` is a
   * 400 (a required field), on an update it counts as absent.
   */
  parse(body: unknown, creating: boolean): SessionFields {
    const given = body === undefined ? {} : body;
    if (!isPlainObject(given)) throw new BadRequestException('request body must be a JSON object');
    if (creating && given['appname'] === undefined) throw new BadRequestException('appname is required');
    // The schema lets `null` through (it serves updates too): to create, a name must be given.
    if (creating && given['appname'] === null) throw new BadRequestException('appname must be a string');
    const input = given['appname'] === null ? withoutAppname(given) : given;
    // The metadata limits with the figures ("metadata has 300 keys; at most 256 are allowed (MAX_METADATA_KEYS)").
    const metadata = input['metadata'];
    const problem = isPlainObject(metadata) ? metadataProblem(metadata, this.limits) : null;
    if (problem) throw new BadRequestException(problem);
    const fields = this.validator.parse(input);
    return {
      appname: wellFormed(fields.appname ?? undefined),
      mode: wellFormed(fields.mode ?? undefined),
      jobid: fields.jobid === null ? null : wellFormed(fields.jobid),
      metadata: fields.metadata == null ? undefined : copyMetadata(fields.metadata as SessionMetadata),
    };
  }
}

/** How much of a metadata key past its limit a message shows. */
const KEY_SHOWN_CHARS = 32;

/**
 * Metadata's limits with the figures and the setting that sets each ("metadata has 300 keys;
 * at most 256 are allowed (MAX_METADATA_KEYS)"), for a body and, `merged`, for the result of a
 * merge, which no schema sees. The schema states the key limits too, for the OpenAPI document;
 * this is checked first, for its messages.
 */
export function metadataProblem(metadata: object, limits: Limits, merged = false): string | null {
  const where = merged ? ' after merging with the stored metadata' : '';
  const keys = Object.keys(metadata);
  if (keys.length > limits.metadataMaxKeys) {
    return `metadata has ${keys.length} keys${where}; at most ${limits.metadataMaxKeys} are allowed (MAX_METADATA_KEYS)`;
  }
  const badKey = keys.find((key) => key.length < 1 || key.length > limits.metadataKeyMaxChars);
  if (badKey !== undefined) {
    // Which key, among up to MAX_METADATA_KEYS: its start is enough to find it.
    return (
      `metadata keys must be 1–${limits.metadataKeyMaxChars} characters long (MAX_METADATA_KEY_CHARS)${where}; ` +
      `got ${badKey.length}: ${quotedMarked(badKey, KEY_SHOWN_CHARS)}`
    );
  }
  const json = jsonText(metadata);
  if (json === null) return `metadata is nested too deeply to serialise${where}`;
  // Rare: only a serialisation with a null can hide a number JSON.parse read as ±Infinity.
  const outOfRange = json.includes('null') ? outOfRangeNumberPath(metadata, 'metadata') : null;
  if (outOfRange !== null) return `${outOfRange} ${OUT_OF_RANGE}${where}`;
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.metadataMaxBytes) {
    return `metadata is ${bytes} bytes serialised${where}; at most ${limits.metadataMaxBytes} are allowed (MAX_METADATA_BYTES)`;
  }
  return null;
}

/** The value as JSON, or null when it cannot be serialised (too deep). */
function jsonText(value: unknown): string | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

/** The body without its `appname` (a spread copies a `__proto__` key as data, not as the prototype). */
function withoutAppname(body: Record<string, unknown>): Record<string, unknown> {
  const { appname: _absent, ...rest } = body;
  return rest;
}

/** Unpaired UTF-16 surrogates (valid JSON escapes, such as `"\ud800"`). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text with each lone surrogate as U+FFFD. Such text has no UTF-8 form: a shared store
 * keeps U+FFFD in its place, and log messages get it in every store; doing it here makes the
 * answer and every later read (any store) agree. Metadata is stored as JSON and keeps them.
 */
function wellFormed(text: string | undefined): string | undefined {
  return text?.replace(LONE_SURROGATE, '\uFFFD');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies into a null-prototype object, so that no key can reach Object.prototype. */
function copyMetadata(source: SessionMetadata): SessionMetadata {
  const copy: SessionMetadata = Object.create(null);
  for (const key of Object.keys(source)) copy[key] = source[key];
  return copy;
}
