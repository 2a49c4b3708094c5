export * from './lib/errors';
export * from './lib/events';
export * from './lib/health';
export * from './lib/limit-refusals';
export * from './lib/limits';
export * from './lib/log';
export * from './lib/session';
export * from './lib/store-outages';
