import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { WsTestClient } from './ws-client';

describe('WsTestClient', () => {
  let server: WebSocketServer;
  let url: string;
  let sockets: WebSocket[];

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((done) => server.once('listening', done));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('connection', (socket) => {
      sockets.push(socket);
      // Echoes what the client sends as an `error` event, which the test then waits for.
      socket.on('message', (raw) => socket.send(JSON.stringify({ event: 'error', data: { message: String(raw) } })));
    });
  });
  beforeEach(() => (sockets = []));
  afterAll(() => new Promise((done) => server.close(done)));

  it('records every frame with its arrival time, and gives the payloads of one event', async () => {
    const client = new WsTestClient(url);
    await client.opened();
    const before = Date.now();
    sockets[0].send(JSON.stringify({ event: 'log', data: { id: 'a', entries: [], cursor: 1, dropped: 0 } }));
    client.send('subscribe-log', { id: 'a', cursor: 0 });
    await client.until((frames) => frames.length === 2);
    expect(client.frames.map((frame) => frame.event)).toEqual(['log', 'error']);
    expect(client.received[0].at).toBeGreaterThanOrEqual(before);
    expect(client.of('log')).toEqual([{ id: 'a', entries: [], cursor: 1, dropped: 0 }]);
    expect(client.of('error')).toEqual([{ message: '{"event":"subscribe-log","data":{"id":"a","cursor":0}}' }]);
    client.close();
  });

  it('fails a wait that does not come true, showing the last frames', async () => {
    const client = new WsTestClient(url);
    await client.opened();
    client.send('ping', 1);
    await expect(client.until((frames) => frames.length > 1, 300)).rejects.toThrow(/timed out; last frames: .*ping/);
    client.close();
  });

  it('keeps the close code, and a refused connection rejects opened()', async () => {
    const client = new WsTestClient(url);
    await client.opened();
    expect(client.closeCode).toBeNull();
    sockets[0].close(4001);
    await client.until(() => client.closeCode !== null);
    expect(client.closeCode).toBe(4001);
    await expect(new WsTestClient('ws://127.0.0.1:1').opened()).rejects.toThrow(/ECONNREFUSED/);
  });
});
