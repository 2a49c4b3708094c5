import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { eventually } from '@zen/testing';
import { LiveClient } from './live-client';
import { nodeWebSocketFactory } from './node-websocket';

describe('live client reconnects', () => {
  it('waits longer and longer for a server that closes every connection as soon as it opened', async () => {
    // A proxy or server that takes the upgrade and drops it at once: each connection opens, so
    // resetting the backoff on open retried it every 25–50 ms (with these options) for ever.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => socket.close(1008, 'not now'));
    await new Promise((listening) => server.once('listening', listening));
    const { port } = server.address() as AddressInfo;
    const opened: number[] = [];
    const live = new LiveClient({
      server: `http://127.0.0.1:${port}`,
      webSocket: nodeWebSocketFactory,
      reconnectInitialMs: 50,
      reconnectMaxMs: 3_000,
      onConnection: (state) => state === 'open' && opened.push(Date.now()),
    });
    try {
      await eventually(() => opened.length === 8, 30_000, 'eight connections');
      // The wait before the 8th connect is at least half of min(3000, 50 * 2^6): it can only be later.
      expect(opened[7] - opened[6]).toBeGreaterThanOrEqual(1_500);
    } finally {
      live.close();
      await new Promise((closed) => server.close(closed));
    }
  });
});
