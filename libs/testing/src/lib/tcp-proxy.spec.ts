import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { eventually } from './eventually';
import { TcpProxy } from './tcp-proxy';

/** Connects through the proxy; resolves with the socket once the echo server answered `ping`. */
function echoed(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('ping'));
    socket.once('data', (data) => (String(data) === 'ping' ? resolve(socket) : reject(new Error(String(data)))));
    socket.once('close', () => reject(new Error('closed')));
    socket.on('error', () => undefined);
  });
}

describe('TcpProxy', () => {
  let target: Server;
  let proxy: TcpProxy;

  beforeAll(async () => {
    target = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
    proxy = await TcpProxy.start((target.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((done) => target.close(done));
  });

  it('pipes connections to the target, and cuts every open one on demand', async () => {
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    const socket = await echoed(proxy.port);
    const closed = new Promise((done) => socket.once('close', done));
    proxy.cut();
    await closed;
    (await echoed(proxy.port)).destroy();
  });

  it('closes new connections at once while refusing', async () => {
    proxy.refusing = true;
    await expect(echoed(proxy.port)).rejects.toThrow('closed');
    proxy.refusing = false;
    (await echoed(proxy.port)).destroy();
  });

  it('leaves open connections silent for good when frozen, closing neither side, and passes new ones', async () => {
    const frozen = await echoed(proxy.port);
    const received: string[] = [];
    let closed = false;
    frozen.on('data', (data) => received.push(String(data)));
    frozen.on('close', () => (closed = true));
    proxy.freezeOpen();
    frozen.write('lost');
    // A connection made after the freeze is echoed while the frozen one still hears nothing.
    const fresh = await echoed(proxy.port);
    fresh.write('again');
    await new Promise((done) => fresh.once('data', done));
    expect({ received, closed }).toEqual({ received: [], closed: false });
    frozen.destroy();
    fresh.destroy();
  });

  it('holds back what the server sends until released, then passes it on in order', async () => {
    const socket = await echoed(proxy.port);
    const received: string[] = [];
    socket.on('data', (data) => received.push(String(data)));
    proxy.hold();
    socket.write('one');
    socket.write('two');
    // The echo has reached the proxy: nothing gets through while held.
    await eventually(() => proxy.heldText === 'onetwo');
    expect(received).toEqual([]);
    proxy.release();
    await eventually(() => received.join('') === 'onetwo');
    socket.write('three');
    await eventually(() => received.join('') === 'onetwothree');
    socket.destroy();
  });
  it('while silent, takes connections and answers none, or (http) passes only WebSocket upgrades on', async () => {
    /** What the echo target sent back for `text` within 300 ms through the proxy ('' for nothing). */
    const answer = async (text: string) => {
      const socket = connect(proxy.port, '127.0.0.1', () => socket.write(text));
      socket.on('error', () => undefined);
      let received = '';
      socket.on('data', (data) => (received += String(data)));
      await new Promise((done) => setTimeout(done, 300));
      socket.destroy();
      return received;
    };
    const upgrade = 'GET /sessions/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    const plain = 'GET /sessions/ HTTP/1.1\r\nHost: x\r\n\r\n';
    proxy.silent = 'all';
    expect([await answer(upgrade), await answer(plain)]).toEqual(['', '']);
    proxy.silent = 'http';
    expect([await answer(upgrade), await answer(plain)]).toEqual([upgrade, '']);
    proxy.silent = false;
    expect(await answer(plain)).toBe(plain);
  });
});
