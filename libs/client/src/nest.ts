// @zen/client/nest: a Nest LoggerService that feeds a session (levels as the contract maps Nest's).
export { NEST_LEVELS } from '@zen/contract';
export { SessionNestLogger } from './lib/adapters/nest-logger';
export type { SessionNestLoggerOptions } from './lib/adapters/nest-logger';
