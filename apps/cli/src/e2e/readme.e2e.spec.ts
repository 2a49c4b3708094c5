import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SessionsClient } from '@zen/client';
import { BuiltServer, CLI, REPO } from '@zen/testing';

const run = promisify(execFile);

/**
 * What each TypeScript example says lands in its session, by its appname: the entries (of the
 * Nest example, those of its own `Logger`, Nest's start-up lines beside them), every session ended.
 */
const LANDS: Record<string, { level: string; message: string; data?: Record<string, unknown> }[]> = {
  importer: [
    { level: 'info', message: 'import started', data: { files: 3 } },
    { level: 'warn', message: 'row 17 skipped', data: { row: 17 } },
  ],
  'pino-service': [{ level: 'info', message: 'signed in', data: { user: 'ada' } }],
  'pino-worker': [{ level: 'info', message: 'through the worker', data: { job: 7 } }],
  'winston-service': [{ level: 'warn', message: 'disk almost full', data: { free: '2%' } }],
  'nest-service': [{ level: 'info', message: 'invoice sent', data: { context: 'Billing' } }],
  watched: [{ level: 'info', message: 'hello' }],
  'when-ready': [{ level: 'info', message: 'the service is ready' }],
};

/** The fenced blocks of the README's "Feeding sessions" section, by language. */
function examples(language: 'sh' | 'ts' | 'text'): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('## Feeding sessions');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((m) => m[1] === language).map((m) => m[2]);
}

/**
 * The README's command that bundles a script using `@zen/client` (`npx esbuild app.ts … --outfile=app.mjs
 * && node app.mjs`), its bundling half given the example's files.
 */
function bundleCommand(source: string, out: string): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  const command = /`(npx esbuild app\.ts [^`]*--outfile=app\.mjs) && node app\.mjs`/.exec(readme)?.[1];
  if (!command) throw new Error('the README has no esbuild command for a script using @zen/client');
  return command.replace('app.ts', source).replace('app.mjs', out);
}

describe('the README examples of "Feeding sessions"', () => {
  let server: BuiltServer;
  let client: SessionsClient;
  let work: string;
  const fedSessions = async () =>
    (await client.sessions.list('all')).sessions.filter((s) => s.appname !== 'zenserver' && s.logCursor > 0);

  beforeAll(async () => {
    server = await BuiltServer.start();
    client = new SessionsClient({ server: server.url });
    // Inside the repository, so the examples' imports resolve from its node_modules.
    mkdirSync(join(REPO, 'tmp'), { recursive: true });
    work = mkdtempSync(join(REPO, 'tmp', 'readme-'));
    mkdirSync(join(work, 'bin'));
    writeFileSync(join(work, 'bin/zen-sessions'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(work, 'bin/zen-sessions'), 0o755);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('has shell and TypeScript examples', () => {
    expect(examples('sh').length).toBeGreaterThanOrEqual(2);
    expect(examples('ts').length).toBeGreaterThanOrEqual(5);
  });

  it('runs the install block: the packed tarball installs a zen-sessions command that talks to the server', async () => {
    const [install] = examples('text');
    // The build is this target's dependency (and a rebuild here would rewrite the CLI the other tests run).
    expect(install).toMatch(/^npm run build && /);
    const prefix = join(work, 'prefix');
    const packed = readdirSync(dirname(CLI)).filter((file) => file.endsWith('.tgz'));
    try {
      await run('bash', ['-euo', 'pipefail', '-c', install.replace(/^npm run build && /, '')], {
        cwd: REPO,
        // `npm install -g` into a prefix of the test's own, from the tarball alone.
        env: { ...process.env, npm_config_prefix: prefix, npm_config_offline: 'true', npm_config_audit: 'false' },
      });
    } finally {
      for (const file of readdirSync(dirname(CLI)))
        if (file.endsWith('.tgz') && !packed.includes(file)) rmSync(join(dirname(CLI), file));
    }
    const bin = join(prefix, 'bin/zen-sessions');
    expect(existsSync(bin)).toBe(true);
    const { stdout } = await run(bin, ['ls', '--json'], {
      cwd: work,
      env: { ...process.env, ZEN_SESSIONS_URL: server.url },
    });
    expect(JSON.parse(stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ appname: 'zenserver' })]));
  });

  it('runs every shell example, each feeding a session', async () => {
    for (const script of examples('sh')) {
      const before = (await fedSessions()).length;
      await run('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: work,
        env: { ...process.env, PATH: `${join(work, 'bin')}:${process.env['PATH']}`, ZEN_SESSIONS_URL: server.url },
      });
      expect({ script, fed: (await fedSessions()).length }).toEqual({ script, fed: before + 1 });
    }
    const cook = (await fedSessions()).find((session) => session.appname === 'cook');
    expect(cook).toMatchObject({ jobid: 'build-4711', metadata: { platform: 'Win64' }, warnCount: 1 });
    const nightly = (await fedSessions()).find((session) => session.appname === 'nightly');
    expect(nightly).toMatchObject({ status: 'ended', logCursor: 4, errorCount: 1 });
  });

  it('runs every TypeScript example, each feeding a session with what the README says', async () => {
    const landed: Record<string, unknown> = {};
    for (const [index, source] of examples('ts').entries()) {
      const fedBefore = await fedSessions();
      const before = fedBefore.length;
      const file = join(work, `example-${index}.ts`);
      writeFileSync(file, source);
      // Bundled by the README's own command, as a user runs a script of theirs.
      await run('bash', ['-euo', 'pipefail', '-c', bundleCommand(file, join(work, `example-${index}.mjs`))], {
        cwd: REPO,
      });
      // From the repository's root, as the README says (the pino worker example bundles a file of it).
      await run(process.execPath, [join(work, `example-${index}.mjs`)], {
        cwd: REPO,
        env: { ...process.env, ZEN_SESSIONS_URL: server.url },
        timeout: 30_000,
      });
      const fed = await fedSessions();
      expect({ index, fed: fed.length }).toEqual({ index, fed: before + 1 });
      const session = fed.find(({ id }) => !fedBefore.some((earlier) => earlier.id === id));
      if (!session) throw new Error(`example ${index} fed no new session`);
      const entries = (await client.logs.readAll(session.id)).entries
        .map(({ level, message, data }) => (data ? { level, message, data } : { level, message }))
        .filter(({ data }) => session.appname !== 'nest-service' || data?.['context'] === 'Billing');
      landed[session.appname] = { status: session.status, entries };
    }
    expect(landed).toEqual(
      Object.fromEntries(Object.entries(LANDS).map(([appname, entries]) => [appname, { status: 'ended', entries }])),
    );
  });
});
