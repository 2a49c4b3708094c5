import type { PreparedRequest } from '../rest/http';

/**
 * Sends requests from Node's 'exit' event (`process.exit()`, an uncaught exception), where no
 * asynchronous work runs any more: a short-lived `node` child sends them in order, and the
 * process waits for it, `timeoutMs` at most. The child stops at the first request the server
 * cannot be reached for. Nothing outside Node (a browser, Electron, Bun: no `node` to run).
 */
export function sendBeforeExit(requests: readonly PreparedRequest[], timeoutMs: number): void {
  const node = nodeBuiltins();
  if (!node || requests.length === 0 || timeoutMs <= 0) return;
  const { Buffer } = node.buffer;
  const payload = requests.map(({ method, url, headers, body }) => ({
    method,
    url,
    headers,
    body: body === undefined ? undefined : Buffer.from(body).toString('base64'),
  }));
  // Without NODE_OPTIONS: a `--require` that opens a session logger would open one in the child too.
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  node.childProcess.spawnSync(process.execPath, ['-e', SENDER], {
    input: JSON.stringify(payload),
    timeout: timeoutMs,
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
}

/** The child's program: the requests from stdin, one after another; a network error ends it. */
const SENDER = `
const requests = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  for (const { method, url, headers, body } of requests) {
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : Buffer.from(body, 'base64') });
    await response.arrayBuffer();
  }
})().catch(() => process.exit(1));
`;

interface NodeBuiltins {
  childProcess: typeof import('node:child_process');
  buffer: typeof import('node:buffer');
}

/** Node's modules, when this is Node itself (20.16 and later have `process.getBuiltinModule`). */
function nodeBuiltins(): NodeBuiltins | null {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  const get = (proc as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule;
  const other = ['electron', 'bun', 'deno'].some((runtime) => proc?.versions?.[runtime]);
  if (!proc || typeof get !== 'function' || proc.release?.name !== 'node' || other) return null;
  return {
    childProcess: get.call(proc, 'node:child_process') as NodeBuiltins['childProcess'],
    buffer: get.call(proc, 'node:buffer') as NodeBuiltins['buffer'],
  };
}
