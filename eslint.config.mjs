import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/**
 * One lint configuration for the workspace. Module boundaries keep the rooms apart:
 * the dashboard and other client code never import server code, the shared contract
 * imports nothing but itself, and no project imports an app.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  prettier,
  {
    ignores: ['**/dist', '**/node_modules', '**/.angular', '**/.nx', '**/coverage', '**/out-tsc', '**/.build'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.cts'],
    // A project's eslint.config.mjs extends this file by its relative path.
    ignores: ['**/eslint.config.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests of any room may use the test-only helpers (@zen/testing, conformance suites).
    files: ['**/*.spec.ts', '**/testing/**/*.ts', '**/e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
];

function boundaries(inTests) {
  const also = inTests ? ['type:test'] : [];
  return {
    enforceBuildableLibDependency: true,
    // The server reports the workspace's version.
    allow: ['../../../package.json'],
    depConstraints: [
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', ...also] },
      { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared', ...also] },
      { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client', 'scope:shared', ...also] },
      {
        sourceTag: 'type:test',
        onlyDependOnLibsWithTags: ['type:test', 'scope:server', 'scope:client', 'scope:shared'],
      },
    ],
  };
}
