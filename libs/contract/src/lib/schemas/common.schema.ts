import { SchemaOptions, TSchema, Type } from '@sinclair/typebox';
import { OID_PATTERN } from '../oid';

// Building blocks of the contract's JSON Schemas. `errorMessage` (ajv-errors) is the
// message a validator gives after the field's name: "cursor must be a non-negative integer".

/** `schema` or `null`. */
export const Nullable = <T extends TSchema>(schema: T, options?: SchemaOptions) =>
  Type.Union([schema, Type.Null()], options);

export const OidSchema = Type.String({
  pattern: OID_PATTERN.source,
  description: 'Session OID: 24 hexadecimal characters (upper case is normalised to lower case)',
  examples: ['5f1b2c3d4e5f6a7b8c9d0e1f'],
});

/** ISO-8601 UTC with milliseconds. */
export const TimeSchema = Type.String({ format: 'date-time', examples: ['2026-11-24T12:00:00.000Z'] });

export const CountSchema = Type.Integer({ minimum: 0 });

/** A JSON object of any JSON values. */
export const JsonObjectSchema = Type.Record(Type.String(), Type.Unknown());

/**
 * A schema as plain JSON, for documents (OpenAPI, AsyncAPI): without TypeBox's symbols
 * and the validator's `errorMessage`s.
 */
export function plainSchema(schema: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === 'errorMessage' ? undefined : value)));
}
