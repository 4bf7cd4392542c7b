/**
 * `npm start` (`preview`) and `npm run dev` (`dev`): Electron's binary first (fetched on the first
 * start), then electron-vite with it as ELECTRON_EXEC_PATH.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveElectronBinary } from './electronBinary';

const require = createRequire(import.meta.url);
const [mode = 'preview', ...rest] = process.argv.slice(2);
const binary = resolveElectronBinary(dirname(require.resolve('electron/package.json')));
if (!binary.ok) {
  console.error(binary.message);
  process.exit(1);
}
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [electronVite, mode, ...rest], {
  stdio: 'inherit',
  env: { ...process.env, ELECTRON_EXEC_PATH: binary.path },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
