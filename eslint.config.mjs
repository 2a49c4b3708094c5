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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          // The server reports the workspace's version.
          allow: ['../../../package.json'],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client', 'scope:shared'] },
            {
              sourceTag: 'type:test',
              onlyDependOnLibsWithTags: ['type:test', 'scope:server', 'scope:client', 'scope:shared'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
