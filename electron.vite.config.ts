import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // Dependencies load from node_modules; devDependencies used here (electron-store, which
      // is ESM-only) are bundled.
      rollupOptions: { input: { index: 'src/main/index.ts' } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require modules: one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: 'src/preload/index.ts' },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      rollupOptions: { input: { index: 'src/renderer/index.html' } },
    },
  },
});
