// @zen/client/testing: helpers for tests against the built server (not part of the library).
export * from './built-server';
export * from './fault-proxy';
export * from './tcp-proxy';
