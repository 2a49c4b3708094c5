/**
 * The naive baseline: the routes the bench drives (create, append text/JSON, cursor and
 * offset reads, `q=` and `level=` filters, ndjson/text downloads) written the way a log
 * server usually starts out: entries as plain objects in an array per session, a
 * `JSON.stringify` per read, `node:http` and nothing else. It is what the store's own
 * design has to beat; the same-store baseline (bare-server.ts) is what the framework does.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';

interface Entry {
  seq: number;
  time: string;
  level: string;
  message: string;
  data?: unknown;
}
interface Log {
  entries: Entry[];
  next: number;
}

const CAPACITY = Number(process.env['LOG_CAPACITY'] ?? 10_000);
const LEVELS = ['debug', 'info', 'warn', 'error'];
const logs = new Map<string, Log>();
const ROUTE = /^\/sessions\/([0-9a-f]{24})(\/log)?\/?(?:\?(.*))?$/;

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function append(log: Log, items: { level?: string; message: string; data?: unknown }[]): void {
  const time = new Date().toISOString();
  for (const item of items) {
    log.entries.push({ seq: log.next++, time, level: item.level ?? 'info', message: item.message, data: item.data });
  }
  if (log.entries.length > CAPACITY) log.entries.splice(0, log.entries.length - CAPACITY);
}

function read(res: ServerResponse, log: Log, params: URLSearchParams): void {
  const q = params.get('q')?.toLowerCase();
  const minLevel = params.has('level') ? LEVELS.indexOf(params.get('level') ?? '') : 0;
  const filtered =
    q || minLevel > 0
      ? log.entries.filter((e) => LEVELS.indexOf(e.level) >= minLevel && (!q || e.message.toLowerCase().includes(q)))
      : log.entries;
  const first = log.entries.length ? log.entries[0].seq : log.next;
  let page: Entry[];
  let json: () => string;
  if (params.has('offset') || (params.has('limit') && !params.has('cursor'))) {
    const offset = Number(params.get('offset') ?? 0);
    const limit = Number(params.get('limit') ?? 1000);
    page = filtered.slice(offset, offset + limit);
    json = () => JSON.stringify({ entries: page, total: filtered.length, offset, limit, cursor: log.next });
  } else {
    const cursor = Number(params.get('cursor') ?? 0);
    const limit = params.has('limit') ? Number(params.get('limit')) : Infinity;
    page = filtered.filter((e) => e.seq >= cursor).slice(0, limit);
    const next = page.length === limit ? page[page.length - 1].seq + 1 : Math.max(cursor, log.next);
    json = () => JSON.stringify({ entries: page, cursor: next, dropped: Math.max(0, first - cursor) });
  }
  const format = params.get('format') ?? 'json';
  if (format === 'ndjson')
    return send(res, 200, page.map((e) => JSON.stringify(e) + '\n').join(''), 'application/x-ndjson; charset=utf-8');
  if (format === 'text') {
    const lines = page.map((e) => `${e.time} ${e.level.toUpperCase()} ${e.message.replace(/\r\n|\n|\r/g, '\\n')}\n`);
    return send(res, 200, lines.join(''), 'text/plain; charset=utf-8');
  }
  send(res, 200, json());
}

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const match = ROUTE.exec(req.url ?? '');
  if (!match) return send(res, 404, '{}');
  const [, id, isLog, query] = match;
  if (!isLog && req.method === 'POST') {
    logs.set(id, { entries: [], next: 0 });
    return send(res, 201, `{"id":"${id}"}`);
  }
  const log = logs.get(id);
  if (!log) return send(res, 404, '{"message":"no such session"}');
  if (isLog && req.method === 'POST') {
    const items = (req.headers['content-type'] ?? '').startsWith('text/plain')
      ? body
          .toString('utf8')
          .split(/\r?\n/)
          .filter((line) => line.length > 0)
          .map((message) => ({ message }))
      : ((input) => (Array.isArray(input.entries) ? input.entries : [input]))(JSON.parse(body.toString('utf8')));
    append(log, items);
    return send(res, 200, `{"appended":${items.length},"cursor":${log.next}}`);
  }
  if (isLog && req.method === 'GET') return read(res, log, new URLSearchParams(query ?? ''));
  send(res, 404, '{}');
}

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      handle(req, res, Buffer.concat(chunks));
    } catch (error) {
      send(res, 400, JSON.stringify({ message: (error as Error).message }));
    }
  });
}).listen(Number(process.env['PORT']), '127.0.0.1', () => console.log('listening'));
