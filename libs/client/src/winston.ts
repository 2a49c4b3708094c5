// @zen/client/winston: a winston transport that feeds a session.
export { SessionTransport, WINSTON_LEVELS } from './lib/adapters/winston-transport';
export type { SessionTransportOptions } from './lib/adapters/winston-transport';
