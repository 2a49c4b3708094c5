import { TSchema, Type } from '@sinclair/typebox';
import { WS_EVENTS } from '../events';
import { Nullable, OidSchema } from './common.schema';
import { LogCursorPageSchema } from './log.schema';
import { SessionListSchema, SessionSchema } from './session.schema';

/** Payload of the `log` event: new entries of a subscribed session. */
export const LogEventDataSchema = Type.Composite([Type.Object({ id: OidSchema }), LogCursorPageSchema]);

export const ErrorEventDataSchema = Type.Object({ message: Type.String() });

/** What a log event's `id` must be: said of a bad id and of a missing one alike. */
const SESSION_ID_MESSAGE = 'must be a session id (24 hexadecimal characters)';

const sessionId = Type.String({ pattern: OidSchema.pattern, errorMessage: SESSION_ID_MESSAGE });

/** The messages of a log event's payload that is no object, or has no `id`. */
const ID_PAYLOAD_ERRORS = { errorMessage: { type: 'must be an object', required: { id: SESSION_ID_MESSAGE } } };

export const SubscribeLogDataSchema = Type.Object(
  {
    id: sessionId,
    // `null` counts as absent, as for every optional field of the contract.
    cursor: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 0,
          maximum: Number.MAX_SAFE_INTEGER,
          default: 0,
          // Worded as the HTTP reads' cursor is.
          errorMessage: {
            type: 'must be a non-negative integer',
            minimum: 'must be a non-negative integer',
            maximum: `must be at most ${Number.MAX_SAFE_INTEGER}`,
          },
        }),
      ),
    ),
  },
  ID_PAYLOAD_ERRORS,
);

export const UnsubscribeLogDataSchema = Type.Object({ id: sessionId }, ID_PAYLOAD_ERRORS);

export const SESSIONS_FEED_MODES = ['delta', 'full'] as const;

const modeMessage = 'must be "delta" or "full"';

/**
 * `subscribe-sessions`: `delta` for a baseline and then `sessions-delta` events, `full` for
 * periodic lists. A bad mode's message quotes the value sent, as JSON (`${0}` is an
 * ajv-errors template, filled in by the validator).
 */
export const SubscribeSessionsDataSchema = Type.Object(
  {
    mode: Type.Union(
      SESSIONS_FEED_MODES.map((mode) => Type.Literal(mode)),
      { errorMessage: `${modeMessage} (got \${0})` },
    ),
  },
  { errorMessage: { type: 'must be an object', required: { mode: `${modeMessage} (got no mode)` } } },
);

/**
 * Payload of `sessions-delta`: the whole current object of every session created or
 * changed since the previous event, and the ids the server forgot.
 */
export const SessionsDeltaDataSchema = Type.Object({
  upserted: Type.Array(SessionSchema),
  removed: Type.Array(OidSchema),
});

/** Server → client events and their payloads' schemas: the protocol's single statement. */
export const SERVER_EVENT_SCHEMAS = {
  [WS_EVENTS.sessions]: SessionListSchema,
  [WS_EVENTS.log]: LogEventDataSchema,
  [WS_EVENTS.error]: ErrorEventDataSchema,
  [WS_EVENTS.sessionsDelta]: SessionsDeltaDataSchema,
} satisfies Record<string, TSchema>;

/** Client → server events and their payloads' schemas. */
export const CLIENT_EVENT_SCHEMAS = {
  [WS_EVENTS.subscribeLog]: SubscribeLogDataSchema,
  [WS_EVENTS.unsubscribeLog]: UnsubscribeLogDataSchema,
  [WS_EVENTS.subscribeSessions]: SubscribeSessionsDataSchema,
} satisfies Record<string, TSchema>;
