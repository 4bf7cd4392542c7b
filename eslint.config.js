import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Packages that only the Electron shell (src/main, src/preload) may import. */
const electronOnly = ['electron', 'electron-store', 'electron-log'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnly.map((name) => ({
            name,
            message: 'The core runs under plain Node: Electron belongs in src/main or src/preload.',
          })),
          patterns: [
            {
              group: ['electron-log/*', '**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**'],
              message: 'The core depends on nothing outside it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['electron', 'node:*', '**/main/**', '**/cli/**'], message: 'The renderer talks to the preload API only.' }],
        },
      ],
    },
  },
);
