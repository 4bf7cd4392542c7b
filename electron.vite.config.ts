import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * `npm run dev` only: Vite's dev server injects styles as <style> elements and reloads over a
 * WebSocket, which the built app's strict CSP (src/renderer/index.html) refuses. The built app
 * keeps the strict one.
 */
export const devContentSecurityPolicy: Plugin = {
  name: 'telecmi-dev-content-security-policy',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html
      .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
      .replace("connect-src 'none'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*"),
};

export default defineConfig({
  main: {
    build: {
      // Dependencies load from node_modules; devDependencies used here (electron-store, which
      // is ESM-only) are bundled.
      // The history database's worker thread, beside the entry (src/main/index.ts says where).
      rollupOptions: { input: { index: 'src/main/index.ts', historyWorker: 'src/core/history/worker/databaseWorker.ts' } },
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
    plugins: [devContentSecurityPolicy],
    build: {
      rollupOptions: { input: { index: 'src/renderer/index.html' } },
    },
  },
});
