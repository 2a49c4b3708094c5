import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

interface LoadResult {
  requestsPerSecond: number;
  bytesPerSecond: number;
  requests: number;
  latencyP50: number;
  latencyP99: number;
  non2xx: number;
  errors: number;
}

// bench/wrk-load.mjs against a node:http server that records what it was sent: the requests
// must arrive as the spec says, and the result must count what the server answered.
describe('bench/wrk-load.mjs', () => {
  let server: Server;
  let url: string;
  let dir: string;
  const seen: { method: string; url: string; type?: string; body: string }[] = [];
  let answer: (req: IncomingMessage, body: string) => { status: number; chunks: string[] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wrk-load-'));
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        const body = Buffer.concat(parts).toString('utf8');
        if (seen.length < 1000)
          seen.push({ method: req.method ?? '', url: req.url ?? '', type: req.headers['content-type'], body });
        const { status, chunks } = answer(req, body);
        res.statusCode = status;
        for (const chunk of chunks) res.write(chunk);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (seen.length = 0));

  async function run(spec: object): Promise<LoadResult> {
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify({ url, duration: 1, connections: 2, ...spec }));
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'wrk-load.mjs'), file]);
    return JSON.parse(stdout.trim().split('\n').pop() ?? '');
  }

  it('sends every prepared request in turn, bodies and headers byte for byte', async () => {
    answer = () => ({ status: 200, chunks: ['ok'] });
    const bodies = [
      { path: '/sessions/a/log', body: '{"message":"quote \\" backslash \\\\ tab \\t"}' },
      { path: '/sessions/b/log?q=%C3%A9t%C3%A9', body: 'line one\nline two: été, 日本\n' },
    ];
    const result = await run({ method: 'POST', headers: { 'content-type': 'text/plain' }, bodies });

    expect(result.requests).toBeGreaterThan(10);
    expect(result.non2xx).toBe(0);
    expect(result.errors).toBe(0);
    // Connections interleave, so the order across them is not the list's.
    const distinct = [...new Map(seen.map((s) => [s.url, s])).values()].sort((a, b) => a.url.localeCompare(b.url));
    expect(distinct).toEqual(bodies.map(({ path, body }) => ({ method: 'POST', url: path, type: 'text/plain', body })));
  });

  it('counts answers of 400 and above as non-2xx, and the bytes of chunked answers', async () => {
    const chunk = 'x'.repeat(10_000);
    answer = (req) =>
      req.url === '/missing' ? { status: 404, chunks: ['no'] } : { status: 200, chunks: [chunk, chunk, chunk] };
    const result = await run({ method: 'GET', bodies: [{ path: '/missing' }, { path: '/found' }] });

    expect(seen.every((s) => s.method === 'GET' && s.body === '')).toBe(true);
    expect(result.non2xx).toBeGreaterThan(0);
    // Each connection alternates, so about half the answers were 404s.
    expect(Math.abs(result.non2xx / result.requests - 0.5)).toBeLessThan(0.1);
    // The 200s carried 30,000 bytes of body each, beside their heads.
    const found = result.requests - result.non2xx;
    expect(result.bytesPerSecond).toBeGreaterThan((found * 30_000) / 1.5);
    expect(result.latencyP99).toBeGreaterThanOrEqual(result.latencyP50);
  });
});
