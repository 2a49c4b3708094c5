import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  bytes: number;
  at: number;
  /** The answer's status, its `Retry-After` and when the proxy began sending it, once it has. */
  answer?: { status: number; retryAfter: string | null; at: number };
}

/**
 * A real HTTP proxy in front of the built server that records requests and can answer
 * some of them itself (a 429 with `Retry-After`, a 503), as a load balancer would.
 */
export class FaultProxy {
  readonly seen: SeenRequest[] = [];
  /**
   * Decides per request (given its body too): a status to answer with (and headers, names in lower
   * case), or null to pass it on.
   */
  fault: (req: IncomingMessage, body: Buffer) => { status: number; headers?: Record<string, string> } | null = () =>
    null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const holder: { proxy?: FaultProxy } = {};
    const server = createServer((req, res) => holder.proxy?.handle(req, res, new URL(target)));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    holder.proxy = new FaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.proxy;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', bytes: body.length, at: Date.now() };
      this.seen.push(seen);
      // Noted as the answer starts, before the client can have any of it.
      const answered = (status: number, retryAfter: string | string[] | undefined) =>
        (seen.answer = { status, retryAfter: retryAfter?.toString() ?? null, at: Date.now() });
      const fault = this.fault(req, body);
      if (fault) {
        answered(fault.status, fault.headers?.['retry-after']);
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify({ statusCode: fault.status, error: 'Fault', message: 'injected by the test proxy' }));
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const status = answer.statusCode ?? 502;
          answered(status, answer.headers['retry-after']);
          res.writeHead(status, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  }
}
