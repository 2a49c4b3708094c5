import { Type } from '@sinclair/typebox';

/** Every error response of the API, and the shape of the `error` event's reasons. */
export const ErrorResponseSchema = Type.Object({
  statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
  error: Type.String({ description: 'The HTTP reason phrase, e.g. "Bad Request"' }),
  message: Type.Union([Type.String(), Type.Array(Type.String())], {
    description: 'What was wrong, for a human; several strings when several fields are wrong',
  }),
});
