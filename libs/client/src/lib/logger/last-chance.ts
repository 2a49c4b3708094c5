import type { PreparedRequest } from '../rest/http';

/**
 * Sends requests from Node's 'exit' event (`process.exit()`, an uncaught exception), where no
 * asynchronous work runs any more: a short-lived `node` child sends them in order, and the
 * process waits for it, `timeoutMs` at most. The child stops at the first request the server
 * cannot be reached for. Only where `process.execPath` is Node itself (not Electron, Bun, Deno,
 * a single-executable application or a `pkg` bundle, where it would run the application again)
 * and may start a child; never throws, so that the process's other 'exit' listeners still run.
 */
export function sendAtExit(requests: readonly PreparedRequest[], timeoutMs: number): void {
  if (requests.length === 0 || timeoutMs <= 0) return;
  try {
    const node = nodeBuiltins();
    if (!node) return;
    const { Buffer } = node.buffer;
    const proc = node.process;
    const payload = requests.map(({ method, url, headers, body }) => ({
      method,
      url,
      headers,
      body: body === undefined ? undefined : Buffer.from(body).toString('base64'),
    }));
    // Without NODE_OPTIONS: a `--require` that opens a session logger would open one in the child too.
    const env = { ...proc.env };
    delete env['NODE_OPTIONS'];
    node.childProcess.spawnSync(proc.execPath, ['-e', SENDER], {
      input: JSON.stringify(payload),
      timeout: timeoutMs,
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
    });
  } catch {
    // Nothing more can be done for these entries as the process exits.
  }
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

/**
 * What is used of Node, typed here: this file is in the core a browser bundles, compiled without
 * Node's types.
 */
interface NodeProcess {
  env: Record<string, string | undefined>;
  execPath: string;
  release?: { name?: string };
  versions?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
  /** Node's permission model (`--permission`): whether a child process may be started. */
  permission?: { has(scope: string): boolean };
  /** Set in a `pkg` bundle. */
  pkg?: unknown;
}

interface NodeBuiltins {
  process: NodeProcess;
  childProcess: {
    spawnSync(
      command: string,
      args: string[],
      options: { input: string; timeout: number; stdio: string[]; env: Record<string, string | undefined> },
    ): unknown;
  };
  buffer: { Buffer: { from(data: string | Uint8Array): { toString(encoding: 'base64'): string } } };
}

/**
 * Node's modules, when `process.execPath` is a `node` that runs `-e` (20.16 and later have
 * `process.getBuiltinModule`) and a child process may be started.
 */
export function nodeBuiltins(proc = (globalThis as { process?: NodeProcess }).process): NodeBuiltins | null {
  const get = proc?.getBuiltinModule;
  if (!proc || typeof get !== 'function' || proc.release?.name !== 'node') return null;
  const other = ['electron', 'bun', 'deno'].some((runtime) => proc.versions?.[runtime]);
  const sea = get.call(proc, 'node:sea') as { isSea?: () => boolean } | undefined;
  const named = /^node(js)?(\d+)?(\.exe)?$/i.test(proc.execPath.split(/[\\/]/).pop() ?? '');
  if (other || proc.pkg || sea?.isSea?.() || !named) return null;
  if (proc.permission && !proc.permission.has('child')) return null;
  return {
    process: proc,
    childProcess: get.call(proc, 'node:child_process') as NodeBuiltins['childProcess'],
    buffer: get.call(proc, 'node:buffer') as NodeBuiltins['buffer'],
  };
}
