import { defineConfig } from 'vite';

/** The headless CLI: one ESM file for Node; as an SSR build, its dependencies stay in node_modules. */
export default defineConfig({
  build: {
    ssr: 'src/cli/index.ts',
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: { output: { entryFileNames: 'index.js' } },
  },
});
