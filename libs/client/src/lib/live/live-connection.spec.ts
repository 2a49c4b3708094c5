import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { LogEntry, SessionList } from '@zen/contract';
import { eventually } from '@zen/testing';
import { createNodeLiveClient } from '../../node';
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

  it('ignores frames that are not the contract s events, and goes on reading the ones after them', async () => {
    const id = '0123456789abcdef01234567';
    const entry = { seq: 0, time: '2026-11-24T12:00:00.000Z', level: 'info', message: 'm0' };
    // What a proxy, another server or another version may send: JSON, but not these events' shape.
    const frames = [
      'null',
      '"text"',
      '{"event":"log","data":null}',
      `{"event":"log","data":{"id":"${id}"}}`,
      `{"event":"log","data":{"id":"${id}","entries":[null],"cursor":1,"dropped":0}}`,
      '{"event":"sessions","data":{}}',
      '{"event":"sessions","data":{"sessions":[null],"serverSessionId":"x"}}',
      '{"event":"sessions-delta","data":{"upserted":{}}}',
      '{"event":"error","data":null}',
      '{"event":"error"}',
      JSON.stringify({ event: 'sessions', data: { sessions: [], serverSessionId: 'the-server' } }),
      JSON.stringify({ event: 'log', data: { id, entries: [entry], cursor: 1, dropped: 0 } }),
    ];
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => {
      socket.once('message', () => frames.forEach((frame) => socket.send(frame)));
    });
    await new Promise((listening) => server.once('listening', listening));
    const { port } = server.address() as AddressInfo;
    const lists: SessionList[] = [];
    const entries: LogEntry[] = [];
    const errors: string[] = [];
    const live = new LiveClient({
      server: `http://127.0.0.1:${port}`,
      webSocket: nodeWebSocketFactory,
      onServerError: (message) => errors.push(message),
    });
    try {
      live.followSessions((list) => lists.push(list));
      live.followLog(id, 0, { onEntries: (taken) => entries.push(...taken) });
      await eventually(() => entries.length === 1, 10_000, 'the entry after the frames');
      expect(entries).toEqual([entry]);
      expect(lists.map((list) => list.serverSessionId)).toEqual(['the-server']);
      expect(errors).toEqual([]);
    } finally {
      live.close();
      await new Promise((closed) => server.close(closed));
    }
  });

  it('createNodeLiveClient uses ws when webSocket is passed on unset (undefined)', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((listening) => server.once('listening', listening));
    const { port } = server.address() as AddressInfo;
    // A tool passing its own option on: `webSocket: options.webSocket`, not set.
    const options: { webSocket?: typeof nodeWebSocketFactory } = {};
    let live: ReturnType<typeof createNodeLiveClient> | undefined;
    try {
      // Made inside the try: a client that throws here must still let the server close (else Jest hangs).
      live = createNodeLiveClient({ server: `http://127.0.0.1:${port}`, webSocket: options.webSocket });
      await eventually(() => live?.connected === true, 10_000, 'the connection');
    } finally {
      live?.close();
      await new Promise((closed) => server.close(closed));
    }
  });
});
