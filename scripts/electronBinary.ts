/**
 * Electron 42+ fetches its binary on first use, not at install, but electron-vite reads
 * `node_modules/electron/path.txt` itself and fails without it. This finds the binary, or fetches
 * it with Electron's own install.js (which honours ELECTRON_MIRROR and its download cache), so
 * `npm start` can hand it to electron-vite; a failed fetch becomes one line of advice.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The executable inside an unpacked Electron, per platform (as Electron's install.js names it). */
export function executableIn(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return platform === 'win32' ? 'electron.exe' : 'electron';
}

export type ElectronBinary = { ok: true; path: string } | { ok: false; message: string };

/** Electron's binary for this package: given by the environment, already installed, or fetched now. */
export function resolveElectronBinary(electronDir: string, env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
  if (env.ELECTRON_EXEC_PATH) return given(env.ELECTRON_EXEC_PATH, 'ELECTRON_EXEC_PATH');
  if (env.ELECTRON_OVERRIDE_DIST_PATH)
    return given(join(env.ELECTRON_OVERRIDE_DIST_PATH, executableIn(process.platform)), 'ELECTRON_OVERRIDE_DIST_PATH');
  const installed = join(electronDir, 'dist', executableIn(process.platform));
  if (isInstalled(electronDir, version, installed)) return { ok: true, path: installed };

  console.log(`Fetching Electron ${version} for this computer (first start only)...`);
  const fetch = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  if (fetch.status === 0 && existsSync(installed)) return { ok: true, path: installed };
  return { ok: false, message: cannotFetch(version, fetch.stderr ?? fetch.error?.message ?? '') };
}

function given(path: string, variable: string): ElectronBinary {
  if (existsSync(path)) return { ok: true, path };
  return { ok: false, message: `${variable} is set, but there is no Electron executable at ${path}.` };
}

function isInstalled(electronDir: string, version: string, executable: string): boolean {
  const read = (name: string): string | undefined =>
    existsSync(join(electronDir, name)) ? readFileSync(join(electronDir, name), 'utf8') : undefined;
  return read('path.txt') !== undefined && read('dist/version')?.replace(/^v/, '') === version && existsSync(executable);
}

/** install.js prints a stack: keep its first line, the reason. */
function cannotFetch(version: string, stderr: string): string {
  const firstLine = stderr
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line && !line.startsWith('at '));
  const reason = firstLine?.replace(/^\w*Error: /, '') ?? 'no reason given';
  return (
    `Electron ${version} could not be downloaded (${reason}). The first start needs internet access to fetch it; ` +
    'behind a proxy or firewall set ELECTRON_MIRROR to a mirror you can reach, or set ELECTRON_OVERRIDE_DIST_PATH ' +
    `to a folder holding an unpacked Electron ${version}.`
  );
}
