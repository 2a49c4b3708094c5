import { BuiltServer, Child, eventually, freePort, RedisServer, REPO, waitUntilServing } from '@zen/testing';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real nginx in the foreground with the repository's config files, the upstream
 * address rewritten to the test server's port.
 */
export async function startNginx(port: number, upstreamPort: number): Promise<Child> {
  const read = (name: string) => readFileSync(join(REPO, 'deploy/nginx', name), 'utf8');
  const files = {
    'zen-sessions.map.conf': read('zen-sessions.map.conf'),
    'zen-sessions.locations.conf': read('zen-sessions.locations.conf').replace(
      '127.0.0.1:8558',
      `127.0.0.1:${upstreamPort}`,
    ),
  };
  return runNginx(port, files, exampleServerSettings('nginx'));
}

/** The built server under `/zen` (with `env`), trusting its loopback proxy, behind a real nginx at `proxied`. */
export async function startBehindNginx(
  env: Record<string, string>,
): Promise<{ server: BuiltServer; nginx: Child; proxied: string }> {
  const server = await BuiltServer.start({ BASE_PATH: '/zen', TRUST_PROXY: 'loopback', ...env });
  const proxyPort = await freePort();
  const nginx = await startNginx(proxyPort, server.port);
  return { server, nginx, proxied: `http://127.0.0.1:${proxyPort}/zen` };
}

/** Resolves once every replica's `/health/ready` answers 200 (after a Redis outage, a restart). */
export function replicasReady(replicas: BuiltServer[], timeoutMs = 30_000): Promise<void> {
  return eventually(
    async () =>
      (await Promise.all(replicas.map((replica) => fetch(`${replica.url}/health/ready`)))).every(
        (res) => res.status === 200,
      ),
    timeoutMs,
    'every replica ready',
  );
}

/** What a rolling restart runs on (see `startScaleOut`). */
export interface ScaleOut {
  redis: RedisServer;
  replicas: BuiltServer[];
  nginx: Child;
  /** nginx's address of the service (under `/zen`). */
  proxied: string;
  /** Stops nginx, the replicas and Redis. */
  stop(): Promise<void>;
}

/**
 * Two built replicas (with `env`) on a redis-server of their own under `/zen`, trusting their
 * loopback proxy, behind deploy/scale-out's nginx at `proxied`. What started is stopped again if
 * a later part fails to start.
 */
export async function startScaleOut(env: Record<string, string> = {}): Promise<ScaleOut> {
  const redis = await RedisServer.start();
  const replicas: BuiltServer[] = [];
  let nginx: Child | undefined;
  const stop = async () => {
    await nginx?.stop();
    for (const replica of replicas) await replica.stop();
    await redis.close();
  };
  try {
    const shared = { LOG_STORE: 'redis', REDIS_URL: redis.url, BASE_PATH: '/zen', TRUST_PROXY: 'loopback', ...env };
    for (let i = 0; i < 2; i++) replicas.push(await BuiltServer.start(shared));
    const proxyPort = await freePort();
    nginx = await startScaleOutNginx(
      proxyPort,
      replicas.map((replica) => replica.port),
    );
    return { redis, replicas, nginx, proxied: `http://127.0.0.1:${proxyPort}/zen`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Real nginx in front of several replicas with the repository's scale-out config
 * (deploy/scale-out), the upstream's servers rewritten to the test replicas' ports (with the file's parameters).
 */
export async function startScaleOutNginx(port: number, replicaPorts: number[]): Promise<Child> {
  const read = (path: string) => readFileSync(join(REPO, 'deploy', path), 'utf8');
  const upstream = read('scale-out/zen-sessions-upstream.conf');
  // Each server with the parameters the file gives its servers.
  const parameters = /^ {4}server \S+( [^;]*)?;$/m.exec(upstream)?.[1] ?? '';
  const servers = replicaPorts.map((replica) => `    server 127.0.0.1:${replica}${parameters};`);
  const files = {
    'zen-sessions.map.conf': read('nginx/zen-sessions.map.conf'),
    'zen-sessions-upstream.conf': upstream.replace(
      /(upstream zen_sessions \{\n)[\s\S]*?( {4}keepalive)/,
      `$1${servers.join('\n')}\n$2`,
    ),
    'zen-sessions.locations.conf': read('scale-out/zen-sessions.locations.conf'),
  };
  return runNginx(port, files, exampleServerSettings('scale-out'));
}

/**
 * The settings deploy/`folder`/nginx.example.conf gives its server block beyond where it listens,
 * its name, TLS and the locations file (those a locations file cannot carry), so that the tests'
 * server is the example's.
 */
function exampleServerSettings(folder: string): string {
  const example = readFileSync(join(REPO, 'deploy', folder, 'nginx.example.conf'), 'utf8');
  const block = /server \{([\s\S]*?)\n {4}\}/.exec(example)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^(#|listen |server_name |ssl_|include )/.test(line))
    .map((line) => `    ${line}`)
    .join('\n');
}

/**
 * Writes the given files into a temp dir, an nginx.conf whose http block includes all but
 * the locations (included in the one server block on `port`, after `serverSettings`), and
 * starts nginx on it.
 */
async function runNginx(port: number, files: Record<string, string>, serverSettings: string): Promise<Child> {
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
${serverSettings}
    include ${dir}/zen-sessions.locations.conf;
  }
}
`,
  );
  const child = new Child(
    spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  await waitUntilServing(`http://127.0.0.1:${port}/zen/health`, child);
  return child;
}
