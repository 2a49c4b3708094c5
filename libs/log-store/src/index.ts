export * from './lib/errors';
export * from './lib/entry-batch';
export * from './lib/log-store';
export * from './lib/session-record';
export * from './lib/session-registry';
export * from './lib/stores';
