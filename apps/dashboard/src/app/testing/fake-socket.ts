import { ClientMessage, ServerMessage } from '@zen/contract';
import { SocketLike } from '../core/live-transport';

/** A WebSocket stand-in the tests drive by hand: open it, push frames, close it. */
export class FakeSocket implements SocketLike {
  static created: FakeSocket[] = [];
  readyState = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  readonly sent: ClientMessage[] = [];

  constructor(readonly url: string) {
    FakeSocket.created.push(this);
  }

  static latest(): FakeSocket {
    return FakeSocket.created[FakeSocket.created.length - 1];
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(undefined as never);
  }

  push(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.(undefined as never);
  }
}
