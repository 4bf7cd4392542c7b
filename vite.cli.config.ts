import { defineConfig } from 'vite';

/**
 * The headless CLI: ESM for Node, its commands in chunks loaded when they run, and the history
 * database's worker thread beside the entry; as an SSR build, its dependencies stay in node_modules.
 */
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: {
      input: { index: 'src/cli/index.ts', historyWorker: 'src/core/history/worker/databaseWorker.ts' },
      output: { entryFileNames: '[name].js' },
    },
  },
});
