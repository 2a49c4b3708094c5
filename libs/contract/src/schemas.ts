// The contract's shapes as JSON Schemas (TypeBox): the single statement from which the
// types in @zen/contract, the server's validation, its OpenAPI document and the AsyncAPI
// document are derived. A separate entry point, so that the dashboard, which needs only
// the types, never bundles the schema builder.
export * from './lib/schemas/common.schema';
export * from './lib/schemas/error.schema';
export * from './lib/schemas/events.schema';
export * from './lib/schemas/health.schema';
export * from './lib/schemas/log.schema';
export * from './lib/schemas/session.schema';
export * from './lib/schemas/asyncapi';
