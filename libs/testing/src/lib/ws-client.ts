import { ServerEvents, ServerMessage } from '@zen/contract';
import { ClientOptions, WebSocket } from 'ws';

/** A frame as a test client received it. */
export interface Received {
  message: ServerMessage;
  at: number;
}

/** A real `ws` client that records every frame and its close code, and can wait for a condition on them. */
export class WsTestClient {
  readonly received: Received[] = [];
  readonly ws: WebSocket;
  /** The code the connection closed with; null while open. */
  closeCode: number | null = null;
  /** The reason the connection closed with ('' when none was given); null while open. */
  closeReason: string | null = null;
  private waiters: (() => void)[] = [];

  constructor(url: string, options: ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (raw) => {
      this.received.push({ message: JSON.parse(raw.toString()), at: Date.now() });
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
    // A refused or broken connection shows in opened() and closeCode, not as an unhandled error.
    this.ws.on('error', () => undefined);
  }

  get frames(): ServerMessage[] {
    return this.received.map((frame) => frame.message);
  }

  /** The payloads of the frames of one event, in order. */
  of<E extends keyof ServerEvents>(event: E): ServerEvents[E][] {
    return this.frames.flatMap((frame) => (frame.event === event ? [frame.data as ServerEvents[E]] : []));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(event: string, data: unknown): void {
    this.ws.send(JSON.stringify({ event, data }));
  }

  /** Waits until `check` holds, re-checked on every frame; generous by default, as the machine may be busy. */
  async until(check: (frames: ServerMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.frames)) {
      if (Date.now() > deadline) {
        throw new Error(`timed out; last frames: ${JSON.stringify(this.frames.slice(-5)).slice(0, 1000)}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Stops reading from the socket: the server's queue for this client grows once the kernel buffers fill. */
  pause(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}
