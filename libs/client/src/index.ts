// The core of @zen/client: framework-free, for Node and browsers alike (no `ws`, no logger libraries).
export * from './lib/errors';
export * from './lib/ids';
export * from './lib/log-text';
export * from './lib/utf8';
export * from './lib/shown-url';
export * from './lib/backoff';
export * from './lib/rest/http';
export * from './lib/rest/sessions-api';
export * from './lib/rest/logs-api';
export * from './lib/rest/health-api';
export * from './lib/rest/sessions-client';
export * from './lib/live/websocket';
export * from './lib/live/live-client';
export * from './lib/logger/session-logger';
