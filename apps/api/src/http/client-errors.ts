import { Server, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { sendRawError } from './raw-error';

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
    if (inFlight && !inFlight.writableFinished) {
      inFlight.once('finish', () => socket.destroy());
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    sendRawError(socket, { status, message: `malformed HTTP request (${error.code ?? 'parse error'})` });
  });
}
