import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Header names as they came on the wire, lower case, repeats included. */
  headerNames: string[];
  /** The body as it came. */
  bytes: Buffer;
  /** The body as UTF-8 text. */
  body: string;
  json<T = unknown>(): T;
}

/**
 * A request with full control over what goes on the wire (headers fetch would fix,
 * bodies that are not valid UTF-8, Content-Length that lies), on a fresh connection:
 * a request that lies about its length must not block the next.
 */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string | number> = {},
  body?: Buffer | string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          headerNames: res.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase()),
          bytes,
          body: text,
          json: () => JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An HTTP/1.1 answer as read off a socket (answerOnWire). */
export interface WireAnswer {
  /** The status line and headers. */
  head: string;
  /** The status code of the status line (NaN when none came). */
  status: number;
  /** The `Content-Length` it declared (NaN when none). */
  declaredLength: number;
  /** How many body bytes came. */
  bodyLength: number;
  /** Whether the whole body came: as many bytes as declared. A download cut short is not. */
  whole: boolean;
}

/** An HTTP/1.1 answer as read off a socket (latin1 text, one answer). */
function answerOnWire(received: string): WireAnswer {
  const headEnd = received.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? received : received.slice(0, headEnd);
  const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(head)?.[1]);
  const declaredLength = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
  const bodyLength = headEnd === -1 ? 0 : received.length - headEnd - 4;
  return { head, status, declaredLength, bodyLength, whole: bodyLength === declaredLength };
}

/**
 * GETs `url` on a raw connection as a slow client does: once the first bytes came it stops
 * reading (what follows waits in the sockets' buffers and the server's) until `whilePaused`
 * settles, then reads until the server or proxy closes the connection. `headers` are added
 * to the request (`Connection: close`, for a proxy that would keep it open). The answer as it came.
 */
export async function pausedDownload(
  url: string,
  whilePaused: () => Promise<unknown>,
  headers: Record<string, string> = {},
): Promise<WireAnswer> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  // A reset shows as an answer cut short (or none), not as an uncaught error.
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const firstChunk = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const lines = Object.entries({ Host: `${hostname}:${port}`, ...headers }).map(([name, value]) => `${name}: ${value}`);
  socket.write(`GET ${pathname}${search} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  await Promise.race([firstChunk, closed]);
  socket.pause();
  try {
    await whilePaused();
  } catch (error) {
    socket.destroy();
    throw error;
  }
  socket.resume();
  await closed;
  return answerOnWire(Buffer.concat(chunks).toString('latin1'));
}
