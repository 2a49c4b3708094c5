import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { presetHeaders, sendJson } from '../common/response-body';
import { errorBody } from './error-shape';
import { sendRawError } from './raw-error';
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
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    // Garbage after a request that is still being answered (a body sent without a
    // length): let that answer go out first, then close; writing now would reach the
    // client as the answer to its request.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && inFlight) {
      // A body that stopped coming: answer 408 if nothing was answered yet, else just close.
      // Waiting for the in-flight answer would wait for that body forever, and the
      // connection would outlive Node's requestTimeout (as a slowloris upload would).
      if (inFlight.headersSent) socket.destroy();
      else sendRawError(socket, CLIENT_ERRORS[error.code]);
      return;
    }
    if (inFlight && !inFlight.writableFinished) {
      inFlight.once('finish', () => socket.destroy());
      return;
    }
    const known = CLIENT_ERRORS[error.code ?? ''];
    sendRawError(socket, known ?? { status: 400, message: `malformed HTTP request (${error.code ?? 'parse error'})` });
  });
  // An Expect header other than 100-continue: Node would answer a bare 417 without a body.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const expect = JSON.stringify(String(req.headers.expect ?? '').slice(0, 128));
    presetHeaders(res, API_HEADERS);
    sendJson(res, 417, JSON.stringify(errorBody(417, `Expect ${expect} is not supported; only 100-continue is`)));
  });
}
