import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEvent } from '../support/fixtures';
import { freePort } from '../support/freePort';
import { postJson } from '../support/receiverServer';

const root = fileURLToPath(new URL('../..', import.meta.url));
const electronPackage = join(root, 'node_modules', 'electron');
const run = promisify(execFile);

/** Electron's binary is fetched on first use (`npm start`, or `npx install-electron`); machines without internet never get one. */
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

/** A ringing call of its own: another call leg, another caller. */
function ringingCall(legId: string, from: string) {
  return { ...loadEvent('leg-b-started'), cmiuuid: legId, conversation_uuid: `conversation-${legId}`, from, time: Date.now() };
}

describe('the real Electron app', () => {
  let app: ElectronApplication | undefined;
  afterAll(() => app?.close());

  it('notifies a ringing call, lists it, keeps notifying after the window is closed, and saves the history on quit', async (context) => {
    if (skipReason && process.env.TELECMI_E2E_REQUIRED) throw new Error(`the Electron end-to-end test must run here, but ${skipReason}`);
    if (skipReason) {
      console.warn(`skipped the Electron end-to-end test: ${skipReason}`);
      context.skip(skipReason);
    }
    const userData = join(mkdtempSync(join(tmpdir(), 'telecmi-e2e-')), 'not-made-yet');
    const port = await freePort();
    const token = 'e2e-token-0123456789abcdefghijkl';
    const webhookUrl = `http://127.0.0.1:${port}/telecmi/${token}`;
    const launch = () =>
      _electron.launch({
        executablePath: binary,
        // With its own executablePath Playwright adds no keychain flags: without these a macOS
        // runner can stop on a Keychain prompt.
        args: [join(root, 'out/main/index.js'), '--no-sandbox', '--use-mock-keychain', '--password-store=basic'],
        env: { ...process.env, TELECMI_NOTIFIER_DATA_DIR: userData },
      });

    // A data folder that does not exist yet is made, and the first run writes its settings.
    app = await launch();
    await expect.poll(() => existsSync(join(userData, 'settings.json')), { timeout: 15_000 }).toBe(true);
    await app.close();
    // Our port and token, past the welcome, as Settings would save them.
    const settings = { ...JSON.parse(readFileSync(join(userData, 'settings.json'), 'utf8')), port, token, welcomed: true };
    writeFileSync(join(userData, 'settings.json'), JSON.stringify(settings));

    app = await launch();
    const page = await app.firstWindow();
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status, { timeout: 15_000 })
      .toBe(200);

    // Record every notification the main process shows.
    await app.evaluate(({ Notification }) => {
      const shown: string[] = [];
      (globalThis as unknown as { shownNotifications: string[] }).shownNotifications = shown;
      const show = Notification.prototype.show;
      Notification.prototype.show = function (this: Electron.Notification) {
        shown.push(this.title);
        return show.call(this);
      };
    });
    const shownNotifications = () => app?.evaluate(() => (globalThis as unknown as { shownNotifications: string[] }).shownNotifications);

    expect((await postJson(webhookUrl, ringingCall('e2e-leg-1', '440000000001'))).status).toBe(200);
    await expect.poll(shownNotifications, { timeout: 10_000 }).toEqual([expect.stringMatching(/^Incoming call \+44/)]);
    await expect.poll(() => page.textContent('body'), { timeout: 10_000 }).toContain('+44');

    // The user opens the window and closes it (close button, Alt+F4): it hides, and the app goes on.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.show());
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
    const windows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((each) => ({ visible: each.isVisible(), destroyed: each.isDestroyed() })),
    );
    expect(windows).toEqual([{ visible: false, destroyed: false }]);
    expect((await postJson(webhookUrl, ringingCall('e2e-leg-2', '440000000002'))).status).toBe(200);
    await expect.poll(shownNotifications, { timeout: 10_000 }).toHaveLength(2);

    await app.close();
    app = undefined;
    // Read back by the headless CLI, from the same data folder.
    const { stdout } = await run(process.execPath, [join(root, 'bin/telecmi-notifier.js'), 'calls', '--data-dir', userData]);
    expect((JSON.parse(stdout) as Array<{ id: string }>).map((call) => call.id).sort()).toEqual(['e2e-leg-1', 'e2e-leg-2']);
  }, 90_000);
});
