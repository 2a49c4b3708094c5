import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** Statuses whose response has no body (a `Response` refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * `fetch` for what `Http` sends (a URL, a method, headers, a string or byte body, a signal), over
 * `node:http` and its keep-alive agent. Node's own `fetch` copies every byte body twice (the
 * spec's copy when the request is built, and its stream's), 2 MiB per 1 MiB batch: under
 * `zen-sessions run` a chatty command's output spent a sixth of the wrapper's CPU in those copies
 * and in the collections of the buffers they left (docs/performance.md, "The run round").
 * Here a body is written to the socket as it is.
 */
export const nodeFetch: typeof fetch = (input, init = {}) => {
  if (typeof input !== 'string' && !(input instanceof URL)) {
    return Promise.reject(new TypeError('nodeFetch takes a URL, not a Request'));
  }
  const body = init.body;
  if (body != null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return Promise.reject(new TypeError('nodeFetch sends string and byte bodies only'));
  }
  const url = new URL(input);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method ?? 'GET', headers }, (res) => {
      resolve(responseOf(res, init.method === 'HEAD'));
    });
    const abort = () => req.destroy(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', abort));
    req.on('error', reject);
    req.end(body ?? undefined);
  });
};

function responseOf(res: IncomingMessage, head: boolean): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  const status = res.statusCode ?? 0;
  const empty = head || NO_BODY.has(status);
  if (empty) res.resume();
  const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage, headers });
}
