import { Injectable } from '@nestjs/common';
import WebSocket from 'ws';
import { AppConfig } from '../config/app-config';

/**
 * The frames of the live feeds (`log` events, `sessions` listings and deltas) queued to WebSocket
 * clients and not yet written out, counted for all clients together. WS_MAX_BUFFERED_BYTES bounds
 * each client's queue, but not their sum: 100 clients that never read, each following a log from a
 * cursor of its own, grew the server by ~900 MB, and MAX_CONNECTIONS such clients could hold
 * tens of gigabytes. Past WS_MAX_TOTAL_BUFFERED_BYTES every client is skipped as a slow one is
 * (it keeps its cursor, and is tried again on the next tick) until the queues drain, or until the
 * clients that hold them, reading nothing, are reaped for missing a ping (WS_PING_INTERVAL_MS).
 * A frame counts once per client it is queued to, as `bufferedAmount` counts it, even where
 * several clients share its bytes.
 */
@Injectable()
export class WsQueue {
  private queued = 0;

  constructor(private readonly config: AppConfig) {}

  /** Whether `client` may be sent a frame now: open, its queue and all clients' within their bounds. */
  writable(client: WebSocket): boolean {
    return (
      client.readyState === WebSocket.OPEN &&
      client.bufferedAmount <= this.config.wsMaxBufferedBytes &&
      this.queued <= this.config.wsMaxTotalBufferedBytes
    );
  }

  /**
   * Sends `frame` as text, counted until `ws` calls back: once written out, or with an error when
   * the connection went away before (`ws` and the socket call back for every write).
   */
  send(client: WebSocket, frame: Buffer, written?: () => void): void {
    const bytes = frame.length;
    this.queued += bytes;
    client.send(frame, { binary: false }, () => {
      this.queued -= bytes;
      written?.();
    });
  }

  /** Bytes queued now, counted as `send` counts them. */
  bytes(): number {
    return this.queued;
  }
}
