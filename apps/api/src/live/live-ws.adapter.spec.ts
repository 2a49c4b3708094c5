import { MessageMappingProperties } from '@nestjs/websockets';
import { EventEmitter } from 'node:events';
import { from, Observable } from 'rxjs';
import WebSocket from 'ws';
import { ClientAddresses } from '../common/client-addresses';
import { AppConfig } from '../config/app-config';
import { HttpPipeline } from '../http/http-pipeline';
import { LiveWsAdapter } from './live-ws.adapter';

/** The parts of a client socket the adapter's message handling uses. */
class FakeClient extends EventEmitter {
  readyState = WebSocket.OPEN;
  bufferedAmount = 0;
  isPaused = false;
  sent: string[] = [];
  send(frame: string): void {
    this.sent.push(frame);
  }
  pause(): void {
    this.isPaused = true;
  }
  resume(): void {
    this.isPaused = false;
  }
}

describe('LiveWsAdapter message handling', () => {
  it.each([
    ['the default', new AppConfig()],
    ['WS_MAX_MESSAGES_IN_FLIGHT=4', new AppConfig({ wsMaxMessagesInFlight: 4 })],
  ])(
    'with %s, stops reading a client while that many of its messages are being handled, and reads on once half are done',
    async (_name, config) => {
      const most = config.wsMaxMessagesInFlight;
      const adapter = new LiveWsAdapter(undefined as never, config, {} as HttpPipeline, new ClientAddresses());
      // A handler that waits (a store that answers slowly): each message holds its work until released.
      const pending: (() => void)[] = [];
      const handler = {
        message: 'subscribe-log',
        callback: () => new Promise<void>((resolve) => pending.push(resolve)),
      } as unknown as MessageMappingProperties;
      const client = new FakeClient();
      adapter.bindMessageHandlers(
        client as unknown as WebSocket,
        [handler],
        (data) => from(data as Promise<unknown>) as Observable<unknown>,
      );
      const frame = Buffer.from(JSON.stringify({ event: 'subscribe-log', data: { id: 'a'.repeat(24) } }));
      for (let i = 0; i < most - 1; i++) client.emit('message', frame, false);
      expect(client.isPaused).toBe(false);
      client.emit('message', frame, false);
      expect(client.isPaused).toBe(true);
      // Fewer than half done: still not read.
      for (const release of pending.splice(0, most / 2 - 1)) release();
      await new Promise((resolve) => setImmediate(resolve));
      expect(client.isPaused).toBe(true);
      // Half of them done: it is read again.
      for (const release of pending.splice(0, 1)) release();
      await new Promise((resolve) => setImmediate(resolve));
      expect(client.isPaused).toBe(false);
    },
  );
});
