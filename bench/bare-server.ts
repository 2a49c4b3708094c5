/**
 * The same-store baseline: the routes the bench drives (create a session, append text or
 * JSON, cursor and offset reads with `q=`/`level=`, ndjson/text downloads) on the same
 * store, parsers and formats as the API, with nothing but node:http. Its ratio to the API
 * is what the framework and the product's own layers cost; the naive baseline
 * (naive-server.ts) is what the store's design is worth.
 */
import { DEFAULT_LIMITS, LogFormat, LogLevel } from '@zen/contract';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { appendBatch, FORMAT_CONTENT_TYPES, LogNotFoundError, MemoryLogStore, readAppendBody } from '@zen/log-store';
import { isAscii } from 'node:buffer';

const store = new MemoryLogStore(Number(process.env['LOG_CAPACITY'] ?? 10_000));
const ROUTE = /^\/sessions\/([0-9a-f]{24})(\/log)?\/?(?:\?(.*))?$/;

function send(
  res: ServerResponse,
  status: number,
  json: string | Buffer,
  type = 'application/json; charset=utf-8',
): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(json) });
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
    // As the API reads an append: the clients' canonical batch from the bytes, else JSON.parse.
    const json = !(req.headers['content-type'] ?? '').startsWith('text/plain');
    const batch = appendBatch(readAppendBody(body, isAscii(body), json, DEFAULT_LIMITS), DEFAULT_LIMITS, Date.now());
    const counters = await store.append(id, batch);
    return send(res, 200, `{"appended":${batch.messages.length},"cursor":${counters.logCursor}}`);
  }
  if (log && req.method === 'GET') {
    const params = new URLSearchParams(query ?? '');
    const format = (params.get('format') ?? 'json') as LogFormat;
    const filter = {
      minLevel: (params.get('level') ?? undefined) as LogLevel | undefined,
      text: params.get('q') ?? undefined,
    };
    const limit = params.has('limit') ? Number(params.get('limit')) : undefined;
    const slice =
      params.has('offset') || (limit !== undefined && !params.has('cursor'))
        ? await store.readPageEncoded(
            id,
            { ...filter, offset: Number(params.get('offset') ?? 0), limit: limit ?? 1000 },
            format,
          )
        : await store.readCursorEncoded(id, { ...filter, cursor: Number(params.get('cursor') ?? 0), limit }, format);
    // As the API does: a body from the recycled buffers goes back for the next read once it is written.
    if (slice.release) res.once('finish', slice.release);
    return send(res, 200, slice.body, format === 'json' ? undefined : FORMAT_CONTENT_TYPES[format]);
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
