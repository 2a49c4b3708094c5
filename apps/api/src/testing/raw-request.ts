import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Header names as they came on the wire, repeats included. */
  headerNames: string[];
  body: string;
  json<T = unknown>(): T;
}

/**
 * A request with full control over what goes on the wire (headers fetch would fix,
 * bodies that are not valid UTF-8, Content-Length that lies).
 */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string | number> = {},
  body?: Buffer | string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a request that lies about its length must not block the next.
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headerNames = res.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          headerNames,
          body: text,
          json: () => JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
