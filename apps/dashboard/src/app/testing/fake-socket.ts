import { Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { WebSocketLike } from '@zen/client';
import { ClientMessage, ServerMessage } from '@zen/contract';
import { LiveConnection, SESSION_LOOKUP, SOCKET_FACTORY } from '../core/live-connection';

/** A WebSocket stand-in the tests drive by hand: open it, push frames, close it. */
export class FakeSocket implements WebSocketLike {
  static created: FakeSocket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientMessage[] = [];

  constructor(readonly url: string) {
    FakeSocket.created.push(this);
  }

  static latest(): FakeSocket {
    return FakeSocket.created[FakeSocket.created.length - 1];
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(undefined);
  }

  push(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

/** For a TestBed's providers: the live connection's sockets are `FakeSocket`s, none made so far. */
export function provideFakeSockets(): Provider {
  FakeSocket.created = [];
  return [
    { provide: SOCKET_FACTORY, useValue: (url: string) => new FakeSocket(url) },
    // No server to look sessions up on: follows take what the fake socket pushes at once.
    { provide: SESSION_LOOKUP, useValue: null },
  ];
}

/** Connects the live connection and opens its (fake) socket: it, to push the server's events through. */
export function openLiveSocket(): FakeSocket {
  TestBed.inject(LiveConnection).connect();
  const socket = FakeSocket.latest();
  socket.open();
  return socket;
}
