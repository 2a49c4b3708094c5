import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of a server whose connections a test can cut, refuse for a while, and
 * whose answers it can hold back.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  /** While true, new connections are closed at once (the server looks gone). */
  refusing = false;
  /**
   * While set, new connections are taken and never passed on nor answered, as a wedged server or
   * a black-holing proxy does: `'all'` of them, or `'http'`, every one but a WebSocket upgrade.
   */
  silent: false | 'http' | 'all' = false;
  /** What the server sent while held, per connection in order (null: passed on at once). */
  private held: { client: Socket; chunk: Buffer }[] | null = null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Where new connections are passed on (`switchTo`). */
    private target: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy?.accept(client));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    holder.proxy = new TcpProxy(server, (server.address() as AddressInfo).port, targetPort);
    return holder.proxy;
  }

  /**
   * Drops every open connection and passes new ones to `targetPort`: the client comes back to a
   * server already up behind the same address, so that its outage is the cut alone and not as
   * long as a server's start on a busy machine.
   */
  switchTo(targetPort: number): void {
    this.target = targetPort;
    this.cut();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection, as a lost network would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /**
   * Leaves every open connection silent for good, as a network that lost them without a word
   * does (a partition, a NAT or firewall that forgot them): nothing more passes either way, and
   * neither side is told; connections made after it pass as usual.
   */
  freezeOpen(): void {
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.removeAllListeners('data');
      socket.pause();
    }
  }

  /**
   * Holds back what the server sends on every connection, as a slow network would, until
   * `release()`; what clients send still goes through.
   */
  hold(): void {
    this.held ??= [];
  }

  /** What is held back so far, over every connection, as text: a test waits for the frame it holds. */
  get heldText(): string {
    return (this.held ?? []).map(({ chunk }) => chunk.toString('latin1')).join('');
  }

  /** Passes on what was held, in the order the server sent it, and everything after at once. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const { client, chunk } of held) client.write(chunk);
  }

  stop(): Promise<void> {
    this.cut();
    return new Promise((done) => this.server.close(() => done()));
  }

  private accept(client: Socket): void {
    const targetPort = this.target;
    if (this.refusing) return void client.destroy();
    if (this.silent) return this.acceptSilently(client, targetPort, this.silent);
    this.pass(client, targetPort);
  }

  /** Takes the connection and says nothing, unless it is a WebSocket upgrade and only HTTP is silent. */
  private acceptSilently(client: Socket, targetPort: number, silent: 'http' | 'all'): void {
    this.sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => this.sockets.delete(client));
    if (silent === 'all') return;
    client.once('data', (first: Buffer) => {
      if (!/^upgrade:\s*websocket\s*$/im.test(first.toString('latin1'))) return;
      client.pause();
      client.unshift(first);
      this.pass(client, targetPort);
      client.resume();
    });
  }

  private pass(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (this.held) return void this.held.push({ client, chunk });
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
  }
}
