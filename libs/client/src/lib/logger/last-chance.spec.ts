import { nodeBuiltins } from './last-chance';

// Found by review: process.execPath is not always Node. In a single-executable application or a
// `pkg` bundle it is the application itself, which `-e <program>` would run again at every exit.
describe('nodeBuiltins, the exit path only where process.execPath is a node that may be started', () => {
  const modules: Record<string, unknown> = {
    'node:child_process': { spawnSync: () => undefined },
    'node:buffer': { Buffer },
    'node:sea': { isSea: () => false },
  };
  const node = (overrides: Record<string, unknown> = {}, sea = false) => ({
    env: {},
    execPath: '/usr/bin/node',
    release: { name: 'node' },
    versions: { node: '20.20.2' },
    getBuiltinModule: (id: string) => (id === 'node:sea' ? { isSea: () => sea } : modules[id]),
    ...overrides,
  });

  it('answers for Node itself (node, nodejs, node20, node.exe)', () => {
    for (const execPath of [
      '/usr/bin/node',
      '/usr/bin/nodejs',
      '/opt/node/bin/node20',
      'C:\\Program Files\\nodejs\\node.exe',
    ])
      expect(nodeBuiltins(node({ execPath }))).not.toBeNull();
  });

  it('answers null in a single-executable application, a pkg bundle, or a binary not named node', () => {
    expect(nodeBuiltins(node({}, true))).toBeNull();
    expect(nodeBuiltins(node({ pkg: { entrypoint: '/snapshot/app.js' } }))).toBeNull();
    expect(nodeBuiltins(node({ execPath: '/opt/tools/deploy-tool' }))).toBeNull();
  });

  it('answers null for Electron, Bun and Deno, and without process.getBuiltinModule (Node before 20.16)', () => {
    for (const runtime of ['electron', 'bun', 'deno'])
      expect(nodeBuiltins(node({ versions: { node: '20.20.2', [runtime]: '1.0.0' } }))).toBeNull();
    expect(nodeBuiltins(node({ getBuiltinModule: undefined }))).toBeNull();
  });

  it('answers null where the permission model forbids a child process', () => {
    expect(nodeBuiltins(node({ permission: { has: (scope: string) => scope !== 'child' } }))).toBeNull();
    expect(nodeBuiltins(node({ permission: { has: () => true } }))).not.toBeNull();
  });
});
