/**
 * The baseline: the same routes as the API (create a session, append text or JSON,
 * cursor read) on the same store, parsers and formats, with nothing but node:http.
 * Every ingest and read figure of the benchmark is a ratio to this server.
 */
import { DEFAULT_LIMITS } from '@zen/contract';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { cursorPageJson, LogNotFoundError, MemoryLogStore, parseJsonEntries, parseTextEntries } from '@zen/log-store';

const store = new MemoryLogStore(Number(process.env['LOG_CAPACITY'] ?? 10_000));
const ROUTE = /^\/sessions\/([0-9a-f]{24})(\/log)?\/?(?:\?(.*))?$/;

function send(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const match = ROUTE.exec(req.url ?? '');
  if (!match) return send(res, 404, '{}');
  const [, id, log, query] = match;
  if (!log && req.method === 'POST') {
    await store.create(id);
    return send(res, 201, `{"id":"${id}"}`);
  }
  if (log && req.method === 'POST') {
    const now = Date.now();
    const batch = (req.headers['content-type'] ?? '').startsWith('text/plain')
      ? parseTextEntries(body, DEFAULT_LIMITS, now)
      : parseJsonEntries(JSON.parse(body.toString('utf8')), DEFAULT_LIMITS, now);
    const counters = await store.append(id, batch);
    return send(res, 200, `{"appended":${batch.messages.length},"cursor":${counters.logCursor}}`);
  }
  if (log && req.method === 'GET') {
    const params = new URLSearchParams(query ?? '');
    const slice = await store.readCursor(id, {
      cursor: Number(params.get('cursor') ?? 0),
      limit: params.has('limit') ? Number(params.get('limit')) : undefined,
    });
    return send(res, 200, cursorPageJson(slice));
  }
  send(res, 404, '{}');
}

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks)).catch((error: Error) =>
      send(res, error instanceof LogNotFoundError ? 404 : 400, JSON.stringify({ message: error.message })),
    );
  });
}).listen(Number(process.env['PORT']), '127.0.0.1', () => console.log('listening'));
