// The dev server's proxy (`nx serve dashboard`): /sessions, HTTP and WebSocket, to the API. At
// ZEN_SESSIONS_URL, as the CLI reads it, for an API started on another PORT or another machine;
// otherwise at the API's default address.
const target = process.env.ZEN_SESSIONS_URL || 'http://127.0.0.1:8558';

module.exports = { '/sessions': { target, secure: false, ws: true } };
