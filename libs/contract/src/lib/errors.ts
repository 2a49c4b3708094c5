import type { Static } from '@sinclair/typebox';
import type { ErrorResponseSchema } from './schemas/error.schema';

/** Every error response of the API has this shape. */
export type ErrorResponse = Static<typeof ErrorResponseSchema>;
