import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { holdContinue } from '../common/expect-continue';
import { JSON_CONTENT_TYPE, presetHeaders, sendBody, sendJson } from '../common/response-body';
import { errorBody } from './error-shape';
import { quoted } from '../common/quoted';
import { RawError, sendRawError } from './raw-error';
import { RouteTable } from './route-table';
import { API_HEADERS } from './security-headers';

/** Node's errors that are not a malformed request, with their own status and message. */
const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'malformed HTTP request (HPE_HEADER_OVERFLOW)' },
  // The request (headers, or the whole of it) did not arrive within the server's
  // headersTimeout / requestTimeout: Node's own answer is a 408, not a 400.
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time (ERR_HTTP_REQUEST_TIMEOUT)' },
};

/**
 * Requests that Node's HTTP parser rejects never reach Express; Node would answer a
 * bare "400" without a body. Answer them in the contract's error shape, with the
 * security headers, instead (found by the HTTP fuzzer: a DELETE with a body but no length).
 * `routes` names the methods a CONNECT is told to use.
 */
export function answerClientErrors(server: Server, routes: RouteTable): void {
  // Node's own Host check answers a bare 400 without a body or headers: hostProblem does it.
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
  server.on('clientError', answerClientError);
  // CONNECT (a proxy's method): without a listener Node cuts the connection without a word.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    sendRawError(socket, {
      status: 405,
      message: 'CONNECT is not allowed: this server is not a proxy',
      // Read when asked, so that a route added after install() counts too.
      headers: { Allow: routes.methods().join(', ') },
    }),
  );
  // Expect: 100-continue: the route decides whether the body is wanted (expect-continue.ts).
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    holdContinue(req, res);
    server.emit('request', req, res);
  });
  // An Expect header other than 100-continue: Node would answer a bare 417 without a body.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const expect = quoted(String(req.headers.expect ?? ''));
    presetHeaders(res, API_HEADERS);
    sendJson(res, 417, JSON.stringify(errorBody(417, `Expect ${expect} is not supported; only 100-continue is`)));
  });
}

/** A request Node's parser rejected, or that timed out: answered in the error shape when it still can be. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  const known = CLIENT_ERRORS[error.code ?? ''];
  const refusal = known ?? { status: 400, message: `malformed HTTP request (${error.code ?? 'parse error'})` };
  // A body that stopped coming (ERR_HTTP_REQUEST_TIMEOUT), or that the parser rejected while
  // the route reads it (a malformed chunk size: HPE_INVALID_CHUNK_SIZE): the request is answered
  // with this error if nothing was answered yet; after a timeout with an answer begun, the
  // connection is just closed. Waiting for the in-flight answer would wait for the rest of that
  // body, which will never come (a rejected chunk ends the parsing): the client would hang until
  // Node's requestTimeout, as a slowloris upload would. The route's body reader then sees the
  // request closed and changes nothing.
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  if (inFlight && !inFlight.headersSent && (timedOut || !inFlight.req.complete)) {
    sendRawError(socket, refusal);
    return;
  }
  if (inFlight && timedOut) {
    socket.destroy();
    return;
  }
  // Garbage after a request that is still being answered (a body sent without a
  // length): let that answer go out first, then close; writing now would reach the
  // client as the answer to its request.
  if (inFlight && !inFlight.writableFinished) {
    inFlight.once('finish', () => socket.destroy());
    return;
  }
  sendRawError(socket, refusal);
}

/**
 * What is wrong with the request's Host, or undefined: RFC 9112 §3.2 wants a 400 for an
 * HTTP/1.1 request without one, and for any request with more than one. Node's parser keeps
 * only the first of several, so they are counted in the raw headers: one length comparison
 * per header line, no allocation.
 */
export function hostProblem(req: IncomingMessage): RawError | undefined {
  if (req.headers.host === undefined) {
    // As Node's own check: HTTP/1.0 had no Host header.
    if (req.httpVersionMajor !== 1 || req.httpVersionMinor !== 1) return undefined;
    return { status: 400, message: 'malformed HTTP request: an HTTP/1.1 request needs a Host header' };
  }
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') hosts++;
  }
  return hosts > 1 ? { status: 400, message: 'malformed HTTP request: more than one Host header' } : undefined;
}

/** A malformed request's answer on its response: the error shape and the API's headers, then the connection closes. */
export function answerMalformed(res: ServerResponse, { status, message }: RawError): void {
  presetHeaders(res, API_HEADERS);
  const body = JSON.stringify(errorBody(status, message));
  sendBody(res, status, JSON_CONTENT_TYPE, body, ['Connection', 'close']);
}
