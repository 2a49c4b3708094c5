import { BadRequestException } from '@nestjs/common';
import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addErrors from 'ajv-errors';
import addFormats from 'ajv-formats';
import { ParsedUrlQuery } from 'node:querystring';

// One ajv for the process: schemas compile once, when their validator is built.
// `unicode: false`: lengths in UTF-16 code units, as the contract counts characters (ajv
// would count code points and warns that the option is deprecated: hence no logger).
const ajv = new Ajv({ allErrors: true, unicode: false, strict: false, logger: false });
addFormats(ajv);
addErrors(ajv);

/**
 * The one way the server validates what clients send (session bodies, log queries,
 * WebSocket payloads): against the contract's JSON Schema (@zen/contract/schemas), with
 * ajv. Lengths count UTF-16 code units, as the contract does. Messages name the field:
 * "cursor must be a non-negative integer"; the schema's `errorMessage` says the rest.
 */
export class ContractValidator<S extends TSchema> {
  private readonly check: ValidateFunction;
  private readonly integers: Set<string>;

  constructor(private readonly schema: S) {
    this.check = ajv.compile(schema);
    const properties = (schema as { properties?: Record<string, { type?: string }> }).properties ?? {};
    this.integers = new Set(Object.keys(properties).filter((name) => properties[name].type === 'integer'));
  }

  /**
   * A query string checked against an object schema. Each of the schema's parameters may
   * be given once and never empty (`?cursor=` is a 400); numbers are read from digits only
   * (`1e3`, `0x10` and ` 5` are not non-negative integers). Other parameters are ignored.
   */
  parseQuery(query: ParsedUrlQuery): Static<S> {
    const values: Record<string, string | number> = {};
    for (const name of Object.keys((this.schema as { properties?: object }).properties ?? {})) {
      const value = query[name];
      if (value === undefined) continue;
      if (typeof value !== 'string') throw new BadRequestException(`${name} must be given once`);
      if (value === '') throw new BadRequestException(`${name} must not be empty`);
      values[name] = this.integers.has(name) && /^\d+$/.test(value) ? integer(name, value) : value;
    }
    return this.parse(values);
  }

  /**
   * `value` as the schema's type, or a 400 naming every problem (one string, or an array
   * when there are several). `subject` prefixes the field names: `data.id`.
   */
  parse(value: unknown, subject = ''): Static<S> {
    const problems = this.problems(value, subject);
    if (problems.length > 0) throw new BadRequestException(problems.length === 1 ? problems[0] : problems);
    return value as Static<S>;
  }

  /** The problems with `value`, for callers that answer them their own way (the WebSocket). */
  problems(value: unknown, subject = ''): string[] {
    if (this.check(value)) return [];
    const errors = this.check.errors ?? [];
    // A value that fails only on a `null` alternative still fails: never answered with no problem.
    const telling = errors.filter(saysSomething);
    const messages = (telling.length > 0 ? telling : errors).map((error) => describe(error, subject));
    return [...new Set(messages)];
  }
}

// The alternatives of a union (`null` for an optional field, say) explain nothing a person needs.
function saysSomething(error: ErrorObject): boolean {
  if (error.keyword === 'anyOf' || error.keyword === 'oneOf') return false;
  return !(error.keyword === 'type' && (error.params as { type?: string }).type === 'null');
}

function describe(error: ErrorObject, subject: string): string {
  // A missing property is named in the path: `data.id`, not `data`.
  const inner = (error.params as { errors?: ErrorObject[] }).errors?.[0] ?? error;
  const missing = (inner.params as { missingProperty?: string }).missingProperty;
  const segments = error.instancePath.split('/').slice(1).map(unescape);
  if (missing) segments.push(missing);
  const field = segments.reduce(
    (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment),
    subject,
  );
  const message = error.keyword === 'required' ? 'is required' : error.message;
  return field ? `${field} ${message}` : (message ?? 'is invalid');
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Digits as a number; past 2^53 - 1 a number would no longer be the one written. */
function integer(name: string, digits: string): number {
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new BadRequestException(`${name} must be at most ${Number.MAX_SAFE_INTEGER}`);
  return value;
}
