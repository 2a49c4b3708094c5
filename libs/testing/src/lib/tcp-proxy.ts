import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/** A TCP proxy in front of a server whose connections a test can cut, and refuse for a while. */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  /** While true, new connections are closed at once (the server looks gone). */
  refusing = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy?.accept(client, targetPort));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    holder.proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    return holder.proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection, as a lost network would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  stop(): Promise<void> {
    this.cut();
    return new Promise((done) => this.server.close(() => done()));
  }

  private accept(client: Socket, targetPort: number): void {
    if (this.refusing) return void client.destroy();
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
    client.pipe(upstream).pipe(client);
  }
}
