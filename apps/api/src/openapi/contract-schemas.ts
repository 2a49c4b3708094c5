import { Limits } from '@zen/contract';
import {
  AppendResultSchema,
  ErrorResponseSchema,
  HealthCheckSchema,
  LogAppendInputSchema,
  LogCursorPageSchema,
  LogOffsetPageSchema,
  logQuerySchema,
  LogTextInputSchema,
  plainSchema,
  sessionInputSchema,
  SessionListQuerySchema,
  SessionListSchema,
  SessionSchema,
} from '@zen/contract/schemas';

/**
 * The contract's schemas as the OpenAPI document's components, with the configured
 * limits. Nothing here restates a shape: each comes from @zen/contract/schemas.
 */
export function contractSchemas(limits: Limits) {
  return {
    Session: SessionSchema,
    SessionList: SessionListSchema,
    SessionListQuery: SessionListQuerySchema,
    SessionInput: sessionInputSchema(limits),
    LogCursorPage: LogCursorPageSchema,
    LogOffsetPage: LogOffsetPageSchema,
    LogQuery: logQuerySchema(limits),
    LogAppendInput: LogAppendInputSchema,
    LogTextInput: LogTextInputSchema,
    AppendResult: AppendResultSchema,
    ErrorResponse: ErrorResponseSchema,
    HealthCheck: HealthCheckSchema,
  };
}

export type ContractSchemaName = keyof ReturnType<typeof contractSchemas>;

/** A reference to a component schema (or, with `property`, to one of its properties). */
export function schemaRef(name: ContractSchemaName, property?: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}${property ? `/properties/${property}` : ''}` };
}

export { plainSchema };
