import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '@zen/testing';

const run = promisify(execFile);

/**
 * The deploy/ files an operator copies as they are, checked by the tools that will read them:
 * the Redis settings by redis-server, the complete nginx examples by `nginx -t`. (The nginx
 * include files are also run for real by reverse-proxy and replicas.e2e.spec.ts.)
 */
describe('the deploy/ files, as their comments say to install them', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'zen-deploy-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('deploy/redis/zen-sessions.redis.conf', () => {
    const settings = join(REPO, 'deploy/redis/zen-sessions.redis.conf');
    // What a distribution's redis.conf holds (Debian's sets `appendonly no` explicitly, far down).
    const distribution = ['bind 127.0.0.1 -::1', 'save 3600 1 300 100 60 10000', 'appendonly no'];

    /** The values redis-server takes from `lines` as its redis.conf. */
    async function effective(name: string, lines: string[]): Promise<Record<string, string>> {
      const dir = mkdtempSync(join(work, `${name}-`));
      const conf = join(dir, 'redis.conf');
      writeFileSync(conf, `${lines.join('\n')}\n`);
      const socket = join(dir, 'redis.sock');
      // No TCP port (nothing to collide with), a socket in the temporary directory.
      const server = spawn('redis-server', [conf, '--port', '0', '--unixsocket', socket, '--dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      server.stdout.on('data', (chunk) => (output += chunk));
      server.stderr.on('data', (chunk) => (output += chunk));
      try {
        const deadline = Date.now() + 20_000;
        while (!/ready to accept connections/i.test(output)) {
          if (server.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server: ${output}`);
          await new Promise((done) => setTimeout(done, 50));
        }
        const values: Record<string, string> = {};
        for (const key of ['appendonly', 'appendfsync', 'maxmemory-policy']) {
          const { stdout } = await run('redis-cli', ['-s', socket, '--raw', 'config', 'get', key]);
          values[key] = stdout.trim().split('\n')[1];
        }
        return values;
      } finally {
        server.kill('SIGKILL');
      }
    }

    it('says to include it as the last line of redis.conf', () => {
      expect(readFileSync(settings, 'utf8')).toMatch(
        /`include \/etc\/redis\/zen-sessions\.redis\.conf` as\n# the LAST line/,
      );
      expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain('included by the **last** line of `redis.conf`');
    });

    it("gives the README's persistence and eviction policy when included last, not when included first", async () => {
      expect(await effective('last', [...distribution, `include ${settings}`])).toEqual({
        appendonly: 'yes',
        appendfsync: 'everysec',
        'maxmemory-policy': 'noeviction',
      });
      // Why the comment says "last": Redis keeps the last value it reads.
      expect(await effective('first', [`include ${settings}`, ...distribution])).toMatchObject({ appendonly: 'no' });
    });
  });

  describe('deploy/scale-out/zen-sessions-upstream.conf', () => {
    it('has nginx close an idle pooled connection before a replica would, stopping or not', () => {
      const upstream = readFileSync(join(REPO, 'deploy/scale-out/zen-sessions-upstream.conf'), 'utf8');
      const [, value, unit] = /^ {4}keepalive_timeout (\d+)(ms|s);$/m.exec(upstream) ?? [];
      // A replica closes a kept-alive connection idle for 5 s (Node's keepAliveTimeout) and, once
      // stopping, those idle at the signal after a 1 s grace (ShutdownService). A request nginx sends
      // on one as it closes is reset, and nginx answers a POST so lost with 502 (it cannot repeat it).
      // nginx's default is 60 s: it must give them up first.
      expect(unit).toBeDefined();
      expect(Number(value) * (unit === 's' ? 1000 : 1)).toBeLessThan(1000);
    });
  });

  describe.each(['nginx', 'scale-out'])('deploy/%s/nginx.example.conf', (folder) => {
    it('passes nginx -t with the files its comment says to copy to /etc/nginx/', async () => {
      const dir = mkdtempSync(join(work, `${folder}-`));
      const example = readFileSync(join(REPO, 'deploy', folder, 'nginx.example.conf'), 'utf8');
      for (const include of example.matchAll(/include \/etc\/nginx\/([\w.-]+);/g)) {
        const from = include[1] === 'zen-sessions.map.conf' ? 'nginx' : folder;
        writeFileSync(join(dir, include[1]), readFileSync(join(REPO, 'deploy', from, include[1])));
      }
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=tools.studio.example',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]);
      const conf = `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\n${example}`
        .replaceAll('/etc/nginx/', `${dir}/`)
        .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${dir}/cert.pem;`)
        .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${dir}/key.pem;`);
      writeFileSync(join(dir, 'nginx.conf'), conf);
      const { stderr } = await run('nginx', [
        '-t',
        '-p',
        dir,
        '-c',
        join(dir, 'nginx.conf'),
        '-e',
        join(dir, 'error.log'),
      ]);
      expect(stderr).toContain('test is successful');
    });
  });
});
