import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', 'scratch/', '.loom/', 'studio/dist/', 'examples/wasm/assemblyscript/', 'examples/wasm/build/', 'test/wasm/fixtures/', 'test/wasm/build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The core does no I/O of its own and never reaches for an adapter: it talks to ports.
    files: ['src/core/**/*.ts', 'src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/**', '../adapters/*', '../../adapters/*'], message: 'src/core and src/ports must not import adapters; depend on a port instead.' },
            { group: ['better-sqlite3', 'ioredis', 'pg', 'amqplib', 'bullmq', 'node:fs', 'fs', 'node:net', 'node:http'], message: 'src/core does no I/O of its own; put it behind a port.' },
            { group: ['**/runtime/**', '../runtime/*'], message: 'src/core must not import the runtime facade.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
);
