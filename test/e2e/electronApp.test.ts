import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEvent } from '../support/fixtures';
import { freePort } from '../support/freePort';
import { postJson } from '../support/receiverServer';

const root = fileURLToPath(new URL('../..', import.meta.url));
const electronPackage = join(root, 'node_modules', 'electron');

/** Electron's binary is fetched on first use; machines without internet never get one. */
function electronBinary(): string | undefined {
  const pathFile = join(electronPackage, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronPackage, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const skipReason = !binary
  ? 'the Electron binary is not installed (no download possible on this machine)'
  : process.platform === 'linux' && !process.env.DISPLAY
    ? 'no display: run the tests under xvfb-run'
    : undefined;

describe('the real Electron app', () => {
  let app: ElectronApplication | undefined;
  afterAll(() => app?.close());

  it('receives a posted call and shows it in the tray window', async (context) => {
    if (skipReason) {
      console.warn(`skipped the Electron end-to-end test: ${skipReason}`);
      context.skip(skipReason);
    }
    const userData = mkdtempSync(join(tmpdir(), 'telecmi-e2e-'));
    const port = await freePort();
    const token = 'e2e-token-0123456789abcdefghijkl';
    writeFileSync(join(userData, 'settings.json'), JSON.stringify({ port, token }));
    app = await _electron.launch({
      executablePath: binary,
      args: [join(root, 'out/main/index.js'), '--no-sandbox'],
      env: { ...process.env, TELECMI_NOTIFIER_DATA_DIR: userData },
    });
    const window = await app.firstWindow();
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status, { timeout: 15_000 }).toBe(200);
    expect((await postJson(`http://127.0.0.1:${port}/telecmi/${token}`, loadEvent('leg-b-started'))).status).toBe(200);
    await expect.poll(() => window.textContent('body'), { timeout: 10_000 }).toContain('+44');
  }, 60_000);
});
