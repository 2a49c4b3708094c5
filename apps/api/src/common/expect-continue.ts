import { IncomingMessage, ServerResponse } from 'node:http';

/** Requests with `Expect: 100-continue` and a body, whose `100 Continue` waits for the route to read that body. */
const held = new WeakMap<IncomingMessage, ServerResponse>();

/**
 * The server's `checkContinue` listener: a request that expects `100 Continue` before it sends
 * its body is handed to the routes without one (Node would send it at once). The route sends
 * it when it starts reading the body (sendContinue); a route that answers first (a bad id,
 * an unknown session, a Content-Length over MAX_BODY_BYTES) answers with its final status,
 * which Node sends with `Connection: close`, so the client never sends a body no one reads
 * (RFC 9110 §10.1.1) and the connection is not left waiting for it. A request that declares
 * no body gets its `100 Continue` at once, as Node gives it.
 */
export function holdContinue(req: IncomingMessage, res: ServerResponse): void {
  const declaresBody = Number(req.headers['content-length']) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (declaresBody) held.set(req, res);
  else res.writeContinue();
}

/** Called by the body reader before it reads: the held `100 Continue`, if any, goes out now. */
export function sendContinue(req: IncomingMessage): void {
  const res = held.get(req);
  if (!res) return;
  held.delete(req);
  if (!res.headersSent) res.writeContinue();
}
