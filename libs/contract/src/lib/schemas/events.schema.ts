import { TSchema, Type } from '@sinclair/typebox';
import { WS_EVENTS } from '../events';
import { OidSchema } from './common.schema';
import { LogCursorPageSchema } from './log.schema';
import { SessionListSchema } from './session.schema';

/** Payload of the `log` event: new entries of a subscribed session. */
export const LogEventDataSchema = Type.Composite([Type.Object({ id: OidSchema }), LogCursorPageSchema]);

export const ErrorEventDataSchema = Type.Object({ message: Type.String() });

const sessionId = Type.String({
  pattern: OidSchema.pattern,
  errorMessage: 'must be a session id (24 hexadecimal characters)',
});

export const SubscribeLogDataSchema = Type.Object(
  {
    id: sessionId,
    cursor: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        default: 0,
        errorMessage: 'must be a non-negative integer',
      }),
    ),
  },
  { errorMessage: { type: 'must be an object', required: { id: 'must be a session id (24 hexadecimal characters)' } } },
);

export const UnsubscribeLogDataSchema = Type.Object(
  { id: sessionId },
  { errorMessage: { type: 'must be an object', required: { id: 'must be a session id (24 hexadecimal characters)' } } },
);

/** Server → client events and their payloads' schemas: the protocol's single statement. */
export const SERVER_EVENT_SCHEMAS = {
  [WS_EVENTS.sessions]: SessionListSchema,
  [WS_EVENTS.log]: LogEventDataSchema,
  [WS_EVENTS.error]: ErrorEventDataSchema,
} satisfies Record<string, TSchema>;

/** Client → server events and their payloads' schemas. */
export const CLIENT_EVENT_SCHEMAS = {
  [WS_EVENTS.subscribeLog]: SubscribeLogDataSchema,
  [WS_EVENTS.unsubscribeLog]: UnsubscribeLogDataSchema,
} satisfies Record<string, TSchema>;
