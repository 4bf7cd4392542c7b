import { defineConfig } from 'vitest/config';

/**
 * The quick tier (`npm run test:unit`): no build, no browser, no broker, no child process. What it
 * leaves out runs in the full `npm test`, which CI runs.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/cli/**',
      'test/e2e/**',
      'test/packaging/**',
      'test/scripts/**',
      'test/**/*.browser.test.ts',
      'test/**/*.broker.test.ts',
    ],
    environment: 'node',
    testTimeout: 20_000,
  },
});
