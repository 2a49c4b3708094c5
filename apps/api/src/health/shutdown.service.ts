import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { AppConfig } from '../config/app-config';

/**
 * Graceful shutdown on SIGTERM/SIGINT: readiness turns false first (so a proxy stops
 * sending), then Nest closes the WebSockets (1001) and the HTTP server, which stops
 * accepting and lets in-flight requests finish. A watchdog bounds that one shutdown
 * and ends with it: a process that closed cleanly but lives on (a test runner, an
 * embedding) is never killed by it later.
 *
 * Keep-alive connections: Node's `server.close()` closes the idle ones only, and a connection
 * busy at that moment stayed open after its answer (`Connection: keep-alive`) for the keep-alive
 * timeout, serving whatever its client sent next: a client with one request after another held
 * the process until the watchdog exited it with 1. Once stopping, every answer not yet begun
 * says `Connection: close` and Node closes its connection after it; one already begun (a
 * download) has its connection closed once it is done.
 *
 * Answers still going out: Node's `server.close()` destroys every connection it counts idle, and
 * it counts one idle once its answer is ended, before the answer is written out: a download a
 * client was still reading was cut off at the signal (4 MB of 20). closeIdleConnections, which
 * close() calls, is wrapped to leave those connections until their answer is out.
 *
 * Idle connections: closed at once, one that a client (nginx's pool of upstream connections) was
 * sending a request on was reset under it, and nginx answers a POST so lost with 502. While
 * stopping they are closed after a grace (IDLE_GRACE_MS, at most half of SHUTDOWN_TIMEOUT_MS) in
 * which a request is answered with Connection: close.
 */
/** Longest a connection idle at the signal is kept for a request already on its way. */
const IDLE_GRACE_MS = 1000;

@Injectable()
export class ShutdownService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private stopping = false;
  private watchdog: NodeJS.Timeout | undefined;
  private server: Server | undefined;
  /** The HTTP server's open connections (see watch). */
  private readonly sockets = new Set<Socket>();

  constructor(private readonly config: AppConfig) {}

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Follows `server`'s connections, so that a shutdown can end each after its answer. */
  watch(server: Server): void {
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    const closeIdle = server.closeIdleConnections.bind(server);
    const sweep = () => {
      // Ended (`finished`, which Node looks at) but not yet written out: hidden from Node's
      // sweep while it runs, and swept again once written.
      const going = [...this.sockets]
        .map(inFlight)
        .filter((answer): answer is ServerResponse => !!answer && answer.finished && !answer.writableFinished);
      for (const answer of going) answer.finished = false;
      try {
        closeIdle();
      } finally {
        for (const answer of going) answer.finished = true;
      }
      for (const answer of going) sweepOnceOut(server, answer);
    };
    let pending: NodeJS.Timeout | undefined;
    server.closeIdleConnections = () => {
      if (!this.stopping) return sweep();
      // A connection idle now may carry a request already on its way (a proxy's pooled one):
      // closed at once it was reset under that request, which nginx does not repeat for a POST
      // (502). It gets a grace instead, in which a request is answered with Connection: close.
      // This narrows the window, not closes it: a request arriving just as the grace ends meets
      // the reset; the proxy's own retry of idempotent requests covers GETs.
      pending ??= setTimeout(() => {
        pending = undefined;
        sweep();
      }, this.idleGraceMs());
      pending.unref();
    };
  }

  /** How long connections idle at the signal may still bring one request (see watch). */
  private idleGraceMs(): number {
    return Math.min(IDLE_GRACE_MS, Math.floor(this.config.shutdownTimeoutMs / 2));
  }

  beforeApplicationShutdown(signal?: string): void {
    this.stopping = true;
    this.closeAfterAnswers();
    this.logger.log(`Shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight requests, closing WebSockets`);
    this.watchdog = setTimeout(() => {
      this.logger.error(`Shutdown took longer than ${this.config.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting`);
      process.exit(1);
    }, this.config.shutdownTimeoutMs);
    this.watchdog.unref();
  }

  /** Every connection ends after the answer it is giving, or the next it gives. */
  private closeAfterAnswers(): void {
    const server = this.server;
    if (!server) return;
    // Requests that come after this (on connections already open) answer with Connection: close.
    server.prependListener('request', (_request, response: ServerResponse) => {
      response.shouldKeepAlive = false;
    });
    for (const socket of this.sockets) {
      const answer = inFlight(socket);
      if (!answer) continue;
      if (!answer.headersSent) answer.shouldKeepAlive = false;
      // Its head already said keep-alive: close the connection once the answer is out.
      else sweepOnceOut(server, answer);
    }
  }

  onApplicationShutdown(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    this.logger.log('Shutdown complete');
  }
}

/** Closes the idle connections again once `answer` is written out, its own among them. */
function sweepOnceOut(server: Server, answer: ServerResponse): void {
  answer.once('finish', () => setImmediate(() => server.closeIdleConnections()));
}

/** The answer `socket` is giving now, if any (Node's own link from a connection to its response). */
function inFlight(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}
