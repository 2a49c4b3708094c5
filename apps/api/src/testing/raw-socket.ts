import { connect } from 'node:net';
import { RunningApp } from './running-app';

/** A valid WebSocket handshake (RFC 6455's sample key). */
export const HANDSHAKE = {
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version': '13',
};

export interface RawAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection after answering. */
  closed: boolean;
}

/**
 * `head` (a request line and header lines, without the blank line that ends them) written
 * byte for byte on a fresh connection, and the answer as it came: a 101 once its head is
 * in, any other once the server closed the connection. For what a client library would
 * not send: upgrade requests, and requests Node's HTTP parser rejects.
 */
export function rawExchange(server: RunningApp, head: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  const what = head.split('\r\n')[0];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    const answer = (closed: boolean): RawAnswer => {
      const end = received.indexOf('\r\n\r\n');
      const [statusLine, ...fields] = received.slice(0, end).split('\r\n');
      const parsed: Record<string, string> = {};
      for (const field of fields) {
        const colon = field.indexOf(':');
        parsed[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
      }
      return { status: Number(statusLine.split(' ')[1]), headers: parsed, body: received.slice(end + 4), closed };
    };
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${what} within 10 s`)));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.startsWith('HTTP/1.1 101 ') && received.includes('\r\n\r\n')) {
        resolve(answer(false));
        socket.destroy();
      }
    });
    socket.on('close', () => (received ? resolve(answer(true)) : reject(new Error(`no answer to ${what}`))));
    socket.write(`${head}\r\n\r\n`);
  });
}

/**
 * An upgrade request to `path` (under the server root, BASE_PATH included if wanted) with
 * HANDSHAKE's headers overridden by `headers` (one given as undefined is left out).
 */
export function rawUpgrade(
  server: RunningApp,
  path: string,
  headers: Record<string, string | undefined> = {},
  method = 'GET',
): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  // `headers.Host` replaces the server's own (a proxy's, say).
  const { Host: host = `${hostname}:${port}`, ...others } = headers;
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries({ ...HANDSHAKE, ...others })) {
    if (value !== undefined) lines.push(`${name}: ${value}`);
  }
  return rawExchange(server, lines.join('\r\n'));
}
