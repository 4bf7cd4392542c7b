import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { executableIn, resolveElectronBinary } from '../../scripts/electronBinary';
import { freePort } from '../support/freePort';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const startScript = ['--import', 'tsx', join(root, 'scripts/start-electron.ts')];

/**
 * An `electron` package as npm installs it (no binary yet), beside symlinks to the project's other
 * modules, so its install.js runs for real without touching the project's own copy.
 */
function freshElectronPackage(): string {
  const modules = join(mkdtempSync(join(tmpdir(), 'telecmi-electron-')), 'node_modules');
  mkdirSync(join(modules, 'electron'), { recursive: true });
  for (const file of ['package.json', 'install.js', 'checksums.json', 'index.js'])
    copyFileSync(join(root, 'node_modules/electron', file), join(modules, 'electron', file));
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name !== 'electron' && !name.startsWith('.')) symlinkSync(join(root, 'node_modules', name), join(modules, name), 'junction');
  }
  return join(modules, 'electron');
}

/** A stand-in Electron that records how it was started and exits. */
function fakeElectronDist(): { dist: string; record: string } {
  const dist = mkdtempSync(join(tmpdir(), 'telecmi-fake-electron-'));
  const record = join(dist, 'started-with.txt');
  const executable = join(dist, executableIn(process.platform));
  mkdirSync(dirname(executable), { recursive: true });
  writeFileSync(executable, `#!/bin/sh\necho "$@" > "${record}"\n`);
  chmodSync(executable, 0o755);
  return { dist, record };
}

describe('starting the app from source', () => {
  it('fetches a missing Electron and, when that is impossible, says why in one line with what to do', async () => {
    const closedPort = await freePort();
    const electronDir = freshElectronPackage();
    const result = resolveElectronBinary(electronDir, {
      ...process.env,
      ELECTRON_MIRROR: `http://127.0.0.1:${closedPort}/`,
      electron_config_cache: mkdtempSync(join(tmpdir(), 'telecmi-electron-cache-')),
      ELECTRON_EXEC_PATH: '',
      ELECTRON_OVERRIDE_DIST_PATH: '',
    });
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^Electron \d+\.\d+\.\d+ could not be downloaded \(.+\)\. The first start needs internet access/);
    expect(message).toContain('ELECTRON_MIRROR');
    expect(message).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(message).not.toMatch(/\bat .+:\d+:\d+/);
  }, 30_000);

  it('uses an Electron named by ELECTRON_OVERRIDE_DIST_PATH, and refuses one that is not there', () => {
    const { dist } = fakeElectronDist();
    const electronDir = join(root, 'node_modules/electron');
    const env = { ...process.env, ELECTRON_EXEC_PATH: '' };
    expect(resolveElectronBinary(electronDir, { ...env, ELECTRON_OVERRIDE_DIST_PATH: dist })).toEqual({
      ok: true,
      path: join(dist, executableIn(process.platform)),
    });
    const missing = resolveElectronBinary(electronDir, { ...env, ELECTRON_OVERRIDE_DIST_PATH: join(dist, 'nothing-here') });
    expect(missing).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^ELECTRON_OVERRIDE_DIST_PATH is set, but there is no Electron executable at /),
    });
  });

  it('npm start stops with the one line and a non-zero exit when there is no Electron to run', async () => {
    const env = { ...process.env, ELECTRON_EXEC_PATH: '', ELECTRON_OVERRIDE_DIST_PATH: join(tmpdir(), 'no-electron-here') };
    const failure = await run(process.execPath, startScript, { cwd: root, env }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^ELECTRON_OVERRIDE_DIST_PATH is set, but there is no Electron executable/),
    ]);
  });

  // A shell script cannot stand in for electron.exe; on Windows the end-to-end test launches the real one.
  it.skipIf(process.platform === 'win32')(
    'npm start hands the Electron it found to electron-vite, which launches the built app',
    async () => {
      const { dist, record } = fakeElectronDist();
      const env = { ...process.env, ELECTRON_EXEC_PATH: '', ELECTRON_OVERRIDE_DIST_PATH: dist };
      // --skipBuild: the test setup built out/ already, and other tests read it while this runs.
      await run(process.execPath, [...startScript, 'preview', '--skipBuild'], { cwd: root, env });
      expect(readFileSync(record, 'utf8').trim()).toBe('.');
    },
  );
});
