import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/** A child process whose output is kept for the failure message. */
export class Child {
  output = '';
  constructor(readonly process: ChildProcess) {
    process.stdout?.on('data', (chunk) => (this.output += chunk));
    process.stderr?.on('data', (chunk) => (this.output += chunk));
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((done) => this.process.once('exit', done));
    this.process.kill('SIGTERM');
    await exited;
  }
}

/** Polls `url` until it answers `status`, or fails with the child's output. */
export async function waitFor(url: string, child: Child, status = 200, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`process exited early:\n${child.output}`);
    try {
      if ((await fetch(url)).status === status) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} did not answer ${status} in time:\n${child.output}`);
}

/** The built server (`nx build api dashboard`), as `npm start` runs it. */
export async function startServer(port: number, env: Record<string, string>): Promise<Child> {
  const child = new Child(
    spawn(process.execPath, ['dist/apps/api/main.js'], {
      cwd: REPO,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitFor(`http://127.0.0.1:${port}${env['BASE_PATH'] ?? ''}/health`, child);
  return child;
}

/**
 * Real nginx in the foreground with the repository's config files, the upstream
 * address rewritten to the test server's port.
 */
export async function startNginx(port: number, upstreamPort: number): Promise<Child> {
  const read = (name: string) => readFileSync(join(REPO, 'deploy/nginx', name), 'utf8');
  return runNginx(port, {
    'zen-sessions.map.conf': read('zen-sessions.map.conf'),
    'zen-sessions.locations.conf': read('zen-sessions.locations.conf').replace(
      '127.0.0.1:8558',
      `127.0.0.1:${upstreamPort}`,
    ),
  });
}

/**
 * Real nginx in front of several replicas with the repository's scale-out config
 * (deploy/scale-out), the upstream's servers rewritten to the test replicas' ports.
 */
export async function startScaleOutNginx(port: number, replicaPorts: number[]): Promise<Child> {
  const read = (path: string) => readFileSync(join(REPO, 'deploy', path), 'utf8');
  const servers = replicaPorts.map((replica) => `    server 127.0.0.1:${replica} max_fails=1 fail_timeout=10s;`);
  return runNginx(port, {
    'zen-sessions.map.conf': read('nginx/zen-sessions.map.conf'),
    'zen-sessions-upstream.conf': read('scale-out/zen-sessions-upstream.conf').replace(
      /(upstream zen_sessions \{\n)[\s\S]*?( {4}keepalive)/,
      `$1${servers.join('\n')}\n$2`,
    ),
    'zen-sessions.locations.conf': read('scale-out/zen-sessions.locations.conf'),
  });
}

/**
 * Writes the given files into a temp dir, an nginx.conf whose http block includes all but
 * the locations (included in the one server block on `port`), and starts nginx on it.
 */
async function runNginx(port: number, files: Record<string, string>): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'zen-nginx-'));
  // Run as root, nginx's workers drop to `nobody`, which must reach the temp paths.
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const httpIncludes = Object.keys(files)
    .filter((name) => name !== 'zen-sessions.locations.conf')
    .map((name) => `  include ${dir}/${name};`)
    .join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${httpIncludes}
  server {
    listen 127.0.0.1:${port};
    include ${dir}/zen-sessions.locations.conf;
  }
}
`,
  );
  const child = new Child(
    spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  await waitFor(`http://127.0.0.1:${port}/zen/health`, child);
  return child;
}
