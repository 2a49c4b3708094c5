import { Type } from '@sinclair/typebox';
import { Limits } from '../limits';
import { END_REASONS, SESSION_LIST_STATUSES, SESSION_STATUSES } from '../session';
import { CountSchema, JsonObjectSchema, Nullable, OidSchema, TimeSchema } from './common.schema';

/** The session object as the API returns it (API.md, "Session object"). */
export const SessionSchema = Type.Object({
  id: OidSchema,
  appname: Type.String({ examples: ['UnrealEditor'] }),
  mode: Type.String({ examples: ['editor'] }),
  jobid: Nullable(Type.String({ examples: ['build-4711'] })),
  metadata: JsonObjectSchema,
  status: Type.Union(SESSION_STATUSES.map((s) => Type.Literal(s))),
  created: TimeSchema,
  updated: TimeSchema,
  ended: Nullable(TimeSchema),
  endReason: Nullable(Type.Union(END_REASONS.map((r) => Type.Literal(r)))),
  /** Entries held now. */
  logCount: CountSchema,
  /** Entries ever appended: the cursor that yields only newer entries. */
  logCursor: CountSchema,
  warnCount: CountSchema,
  errorCount: CountSchema,
  /** Address the session was created from (honours X-Forwarded-For only when TRUST_PROXY says so). */
  clientAddress: Type.Optional(Nullable(Type.String())),
});

/** Response of `GET /sessions/` and payload of the `sessions` WebSocket event. */
export const SessionListSchema = Type.Object({
  sessions: Type.Array(SessionSchema, { description: 'Newest created first' }),
  serverSessionId: OidSchema,
});

/** Query of `GET /sessions/`. */
export const SessionListQuerySchema = Type.Object({
  status: Type.Optional(
    Type.Union(
      SESSION_LIST_STATUSES.map((s) => Type.Literal(s)),
      { default: 'active', errorMessage: `must be one of ${SESSION_LIST_STATUSES.join(', ')}` },
    ),
  ),
});

/**
 * Body of `POST /sessions/{id}`, `POST /sessions/` and `PUT /sessions/{id}`, with the
 * configured limits. Unknown fields are ignored; `null` counts as absent for the optional
 * ones. Beyond what a schema can say: metadata is at most `metadataMaxBytes` serialised.
 */
export function sessionInputSchema(limits: Limits) {
  // A length refusal names the server's setting for it, as every other limit's refusal does.
  const text = (min: number, max: number, setting: string) =>
    Type.String({
      minLength: min,
      maxLength: max,
      errorMessage: {
        type: 'must be a string',
        minLength: min > 0 ? `must be ${min}–${max} characters long (${setting})` : 'must be a string',
        maxLength:
          min > 0
            ? `must be ${min}–${max} characters long (${setting})`
            : `must be at most ${max} characters long (${setting})`,
      },
    });
  return Type.Object(
    {
      // One schema serves create and update: `null` counts as absent on an update, and is a 400 to create.
      appname: Type.Optional(
        Nullable(text(1, limits.appnameMaxChars, 'MAX_APPNAME_CHARS'), {
          description: 'Required to create a session (a string); on an update, absent or null leaves it as it is',
        }),
      ),
      mode: Type.Optional(Nullable(text(0, limits.modeMaxChars, 'MAX_MODE_CHARS'))),
      jobid: Type.Optional(Nullable(text(0, limits.jobidMaxChars, 'MAX_JOBID_CHARS'))),
      metadata: Type.Optional(
        Nullable(
          Type.Unsafe<Record<string, unknown>>({
            type: 'object',
            maxProperties: limits.metadataMaxKeys,
            propertyNames: { minLength: 1, maxLength: limits.metadataKeyMaxChars },
            description: `At most ${limits.metadataMaxKeys} keys of 1–${limits.metadataKeyMaxChars} characters, ${limits.metadataMaxBytes} bytes serialised`,
            errorMessage: {
              type: 'must be an object',
              maxProperties: `must have at most ${limits.metadataMaxKeys} keys`,
              propertyNames: `keys must be 1–${limits.metadataKeyMaxChars} characters long`,
            },
          }),
        ),
      ),
    },
    { errorMessage: { type: 'request body must be a JSON object' } },
  );
}
