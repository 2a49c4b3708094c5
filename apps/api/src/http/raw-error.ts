import { STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { JSON_CONTENT_TYPE } from '../common/response-body';
import { errorBody } from './error-shape';
import { API_HEADERS } from './security-headers';

/** An error answered on a bare connection: its status, a message naming the problem, and any headers it needs. */
export interface RawError {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/**
 * The one writer of answers no ServerResponse can give (a refused WebSocket upgrade,
 * HttpPipeline.handleUpgrade; a request Node's HTTP parser rejected, client-errors.ts):
 * the contract's error shape with the security headers every other API answer carries,
 * written on the socket itself, then the connection is closed.
 */
export function sendRawError(socket: Duplex, { status, message, headers = {} }: RawError): void {
  // The client may be gone already; an error on this socket must not reach the process.
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(status, message));
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`];
  for (let i = 0; i < API_HEADERS.length; i += 2) lines.push(`${API_HEADERS[i]}: ${API_HEADERS[i + 1]}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Type: ${JSON_CONTENT_TYPE}`, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
