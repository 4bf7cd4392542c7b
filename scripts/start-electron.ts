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
// Ctrl+C reaches the whole process group; elsewhere a SIGTERM is passed on. On Windows kill()
// would end electron-vite outright and leave Electron running: the console's Ctrl+C reaches both.
if (process.platform !== 'win32') process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
