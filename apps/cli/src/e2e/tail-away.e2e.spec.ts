import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { SessionsClient } from '@zen/client';
import { BuiltServer, eventually, killRunningClis, startCli } from '@zen/testing';

/**
 * What stands in front of the built server as nginx does: HTTP and WebSocket upgrades passed on,
 * or, while `away`, the server gone behind it: `'502'` answers as nginx with every replica down,
 * `'refused'` closes its port (connections are refused until `back()` listens on it again).
 * `atLookup` decides what the follow's first `GET /sessions/{id}` (and those after) meets.
 */
class Front {
  away: false | '502' | 'refused' = false;
  /** Called for each `GET /sessions/{id}` (not its log) before it is answered; it may answer it. */
  atLookup: (res: ServerResponse) => void = () => undefined;
  /** The lookups and what each met, in order. */
  readonly lookups: { at: number; met: string }[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: number,
  ) {}

  static async start(target: number): Promise<Front> {
    const holder: { front?: Front } = {};
    const server = createServer((req, res) => holder.front?.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      holder.front?.upgrade(req, socket, head),
    );
    server.on('connection', (socket: Socket) => holder.front?.track(socket));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    holder.front = new Front(server, (server.address() as AddressInfo).port, target);
    return holder.front;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Away as `how`: for `'refused'`, the port is closed and every connection dropped. */
  goAway(how: '502' | 'refused'): void {
    this.away = how;
    if (how === 'refused') {
      this.server.close();
      for (const socket of this.sockets) socket.destroy();
    }
  }

  /** Back: passes everything on again (listening on its port again if it was closed). */
  async back(): Promise<void> {
    const wasRefused = this.away === 'refused';
    this.away = false;
    if (wasRefused) await new Promise<void>((done) => this.server.listen(this.port, '127.0.0.1', done));
  }

  stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((done) => (this.server.listening ? this.server.close(() => done()) : done()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' && /^\/sessions\/[0-9a-f]{24}$/.test(req.url ?? '')) {
      this.atLookup(res);
      this.lookups.push({ at: Date.now(), met: this.away || (res.headersSent ? `${res.statusCode}` : 'passed') });
      if (res.headersSent || res.destroyed) return;
    }
    if (this.away === 'refused') return void req.socket.destroy();
    if (this.away === '502') {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n',
      );
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: this.target, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (this.away) return void socket.destroy();
    const upstream = connect(this.target, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    this.track(upstream);
    for (const end of [socket, upstream]) {
      end.on('error', () => undefined);
      end.on('close', () => {
        socket.destroy();
        upstream.destroy();
      });
    }
  }
}

// Found by stop 54: `tail -f` looks its session up once after printing the backlog, before it
// follows; a server away at that moment (a rolling restart behind nginx, Redis restarting) ended it
// with exit 1, where every check after a reconnect is ridden out.
describe('tail -f and a server away at its first lookup', () => {
  let server: BuiltServer;
  let client: SessionsClient;
  let front: Front;

  beforeAll(async () => {
    server = await BuiltServer.start();
    client = new SessionsClient({ server: server.url });
  });
  beforeEach(async () => {
    front = await Front.start(server.port);
  });
  afterEach(async () => {
    await killRunningClis();
    await front.stop();
  });
  afterAll(() => server.stop());

  const lines = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/^\S+ /, ''));

  it('rides out a refused connection: one line after 10 s, then follows once it is back, every entry once', async () => {
    const { id } = await client.sessions.create({ appname: 'tail-away' });
    await client.logs.append(id, [{ message: 'before 1' }, { message: 'before 2' }]);
    // The port closes as the lookup arrives: it and every try after it are refused.
    let armed = true;
    front.atLookup = () => {
      if (armed) front.goAway('refused');
      armed = false;
    };
    const tail = startCli(['tail', id, '-f'], { env: { ZEN_SESSIONS_URL: front.url } });
    await eventually(() => tail.stdout.includes('before 2\n'), 30_000, 'the backlog');
    await client.logs.append(id, { message: 'while away' });
    await eventually(() => tail.stderr.includes('\n'), 60_000, 'the line saying what it waits for');
    expect(tail.stderr).toMatch(
      new RegExp(`^zen-sessions: cannot look up session ${id} to follow it \\(cannot reach .+\\); still trying\\n$`),
    );
    expect(tail.child.exitCode).toBeNull();
    await front.back();
    await eventually(() => tail.stdout.includes('while away\n'), 60_000, 'the entry appended while away');
    await client.logs.append(id, [{ message: 'after 1' }, { message: 'after 2', level: 'error' }]);
    await eventually(() => tail.stdout.includes('after 2\n'), 60_000, 'the entries appended once back');
    expect(lines(tail.stdout)).toEqual([
      'INFO before 1',
      'INFO before 2',
      'INFO while away',
      'INFO after 1',
      'ERROR after 2',
    ]);
    // Over the WebSocket, not polls: no line that live updates cannot connect.
    expect(tail.stderr.split('\n')).toHaveLength(2);
    tail.child.kill('SIGINT');
    expect((await tail.done).code).toBe(0);
  });

  it('rides out nginx s 502 and a 429 (after its Retry-After) silently when back within 10 s, and ends at the session s end', async () => {
    const { id } = await client.sessions.create({ appname: 'tail-away' });
    await client.logs.append(id, { message: 'before' });
    front.atLookup = (res) => {
      const tries = front.lookups.length;
      if (tries === 0) front.goAway('502');
      if (tries === 1) {
        // The second try meets a rate limit instead, then the server is back.
        front.away = false;
        front.atLookup = () => undefined;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
        res.end(JSON.stringify({ statusCode: 429, error: 'Too Many Requests', message: 'slow down' }));
      }
    };
    const tail = startCli(['tail', id, '-f'], { env: { ZEN_SESSIONS_URL: front.url } });
    await eventually(() => front.lookups.length >= 3, 60_000, 'the lookup asked again after the 429');
    // (Lookups after the third are the live client's checks once it follows.)
    expect(front.lookups.slice(0, 3).map((lookup) => lookup.met)).toEqual(['502', '429', 'passed']);
    // The 429's Retry-After (2 s) was waited out before the next try.
    expect(front.lookups[2].at - front.lookups[1].at).toBeGreaterThanOrEqual(1_900);
    await client.logs.append(id, { message: 'later' });
    await eventually(() => tail.stdout.includes('later\n'), 60_000, 'the entry appended once back');
    await client.sessions.end(id);
    const result = await tail.doneWithin(60_000);
    expect({ exited: result !== null, code: result?.code, stderr: result?.stderr }).toEqual({
      exited: true,
      code: 0,
      stderr: '',
    });
    expect(lines(result?.stdout ?? '')).toEqual(['INFO before', 'INFO later']);
  });

  it('exits 1 at once, as before, when the lookup is told the session is not there (404)', async () => {
    const { id } = await client.sessions.create({ appname: 'tail-away' });
    await client.logs.append(id, { message: 'before' });
    front.atLookup = (res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `session ${id} not found` }));
    };
    const tail = startCli(['tail', id, '-f'], { env: { ZEN_SESSIONS_URL: front.url } });
    const result = await tail.doneWithin(30_000);
    expect({ exited: result !== null, code: result?.code }).toEqual({ exited: true, code: 1 });
    expect(result?.stderr).toBe(`zen-sessions: the server answered 404: session ${id} not found\n`);
    expect(front.lookups.map((lookup) => lookup.met)).toEqual(['404']);
    expect(lines(result?.stdout ?? '')).toEqual(['INFO before']);
  });

  it('exits 0 on SIGINT while its first lookup waits for the server', async () => {
    const { id } = await client.sessions.create({ appname: 'tail-away' });
    front.atLookup = () => front.goAway('502');
    const tail = startCli(['tail', id, '-f'], { env: { ZEN_SESSIONS_URL: front.url } });
    await eventually(() => front.lookups.length >= 2, 60_000, 'the lookup asked again');
    tail.child.kill('SIGINT');
    const result = await tail.doneWithin(30_000);
    expect({ exited: result !== null, code: result?.code, stdout: result?.stdout }).toEqual({
      exited: true,
      code: 0,
      stdout: '',
    });
  });
});
