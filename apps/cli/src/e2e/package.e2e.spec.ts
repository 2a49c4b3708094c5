import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { BuiltServer, JSON_HEADERS, REPO, CLI, sessionIdOf } from '@zen/testing';
import { tempDir } from './support';

const run = promisify(execFile);

/** `npm pack` in dist/apps/cli, then `npm install -g` of the tarball under `work` (offline: it needs nothing). */
function packAndInstall(work: string): { prefix: string; installed: string } {
  execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: dirname(CLI) });
  const tarball = readdirSync(work).find((file) => file.endsWith('.tgz')) as string;
  const prefix = join(work, 'prefix');
  execFileSync('npm', [
    'install',
    '-g',
    '--offline',
    '--no-audit',
    '--no-fund',
    '--prefix',
    prefix,
    join(work, tarball),
  ]);
  return { prefix, installed: join(prefix, 'lib/node_modules/zen-sessions') };
}

describe('the zen-sessions package', () => {
  it('packs from dist/apps/cli into a tarball that npm install -g installs with nothing but Node', async () => {
    const work = tempDir('zen-pack-');
    const manifest = JSON.parse(readFileSync(join(dirname(CLI), 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'zen-sessions',
      bin: { 'zen-sessions': 'main.js' },
      engines: { node: '>=20' },
    });
    expect(manifest.dependencies).toBeUndefined();
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);

    const { prefix, installed } = packAndInstall(work);
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);

    const bin = join(prefix, 'bin/zen-sessions');
    // Outside the repository, so nothing of its node_modules can be found.
    const version = await run(bin, ['--version'], { cwd: work });
    expect(version.stdout).toBe(`${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}\n`);

    const server = await BuiltServer.start();
    try {
      const wrapped = await run(bin, ['run', '--server', server.url, '--', 'sh', '-c', 'echo installed'], {
        cwd: work,
      });
      expect(wrapped.stdout).toBe('installed\n');
      const tail = await run(bin, ['tail', '--server', server.url, sessionIdOf(wrapped.stderr)], {
        cwd: work,
      });
      expect(tail.stdout).toMatch(/ INFO installed\n$/);

      // --follow uses the bundled WebSocket client.
      const created = await fetch(`${server.url}/sessions/`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"followed"}',
      });
      const { id } = (await created.json()) as { id: string };
      const following = spawn(bin, ['tail', '-f', '--server', server.url, id], { cwd: work });
      let followed = '';
      following.stdout.on('data', (chunk) => (followed += chunk));
      const followedExit = new Promise((done) => following.on('close', (code) => done(code)));
      await new Promise((done) => setTimeout(done, 1_500));
      await fetch(`${server.url}/sessions/${id}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'live\n',
      }).catch(() => undefined);
      const deadline = Date.now() + 20_000;
      while (!followed.includes('INFO live') && Date.now() < deadline)
        await new Promise((done) => setTimeout(done, 50));
      following.kill('SIGINT');
      expect(await followedExit).toBe(0);
      expect(followed).toMatch(/^\S+ INFO live\n$/);
    } finally {
      await server.stop();
    }
  });

  it('is a command only: requiring the installed package does not run the command line with the requirer s arguments', async () => {
    const work = tempDir('zen-pack-');
    const { installed } = packAndInstall(work);
    // A program that requires it, given arguments of its own (`node -e` takes the first as its
    // name): with main.js as the package's entry, the command line would parse them and act.
    const script = `try { require(${JSON.stringify(installed)}); console.log('loaded'); } catch (error) { console.log(error.code); }`;
    const required = await run(process.execPath, ['-e', script, 'app', '--version'], {
      cwd: work,
      env: { PATH: process.env['PATH'] },
    });
    expect(required).toEqual({ stdout: 'MODULE_NOT_FOUND\n', stderr: '' });
  });
});
