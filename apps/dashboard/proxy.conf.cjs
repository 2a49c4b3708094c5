// The dev server's proxy (`nx serve dashboard`): /sessions, HTTP and WebSocket, to the API. At
// ZEN_SESSIONS_URL, as the CLI reads it, for an API started on another PORT or another machine;
// otherwise at the API's default address.
const target = process.env.ZEN_SESSIONS_URL || 'http://127.0.0.1:8558';

// The page's Host is passed on (no `changeOrigin`): the API takes a page's WebSocket only from its
// own host as Host names it (or CORS_ORIGINS), so the dev server's page must reach it under its own
// name (apps/product-e2e/src/dev-server-proxy.e2e.spec.ts).
module.exports = { '/sessions': { target, secure: false, ws: true } };
