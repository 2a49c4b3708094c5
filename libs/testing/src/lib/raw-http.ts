import { request } from 'node:http';

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

/**
 * An HTTP/1.1 answer as read off a socket (latin1 text): its status line and headers, the
 * `Content-Length` it declared, and how many body bytes came. A download cut short has fewer.
 */
export function answerOnWire(received: string): { head: string; declaredLength: number; bodyLength: number } {
  const headEnd = received.indexOf('\r\n\r\n');
  const head = received.slice(0, headEnd);
  const declaredLength = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
  return { head, declaredLength, bodyLength: received.length - headEnd - 4 };
}
