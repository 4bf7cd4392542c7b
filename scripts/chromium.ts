/**
 * Finds a Chromium or Chrome for the window tests, the renderer benchmark and the icon script,
 * and installs one where there is none (`npm test` runs `ensureChromium` first, as `pretest`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chromium, type LaunchOptions } from 'playwright-core';

/** Where browsers are installed system-wide, per platform. */
function systemBrowsers(): string[] {
  switch (process.platform) {
    case 'darwin':
      return [
        '/Applications/Chromium.app/Contents/MacOS/Chromium',
        '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
        join(homedir(), 'Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
      ];
    case 'win32': {
      const roots = [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)'], process.env.LOCALAPPDATA].filter(Boolean) as string[];
      return roots.map((root) => join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'));
    }
    default:
      return [
        '/usr/bin/chromium',
        '/usr/bin/chromium-browser',
        '/usr/bin/google-chrome',
        '/usr/bin/google-chrome-stable',
        '/snap/bin/chromium',
      ];
  }
}

/** `CHROMIUM_PATH`, else a system Chromium or Chrome, else the one `playwright install chromium` put in its cache. */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  const playwrightCache = chromium.executablePath();
  return [...systemBrowsers(), playwrightCache].find((path) => path && existsSync(path));
}

const isDebianLike = (): boolean => process.platform === 'linux' && existsSync('/etc/debian_version');
const isRoot = (): boolean => process.getuid?.() === 0;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
}

/** Installs Chromium the way this machine can: Debian's package as root, else Playwright's build. */
function installChromium(): void {
  if (isDebianLike() && isRoot()) {
    console.log('No Chromium found: installing Debian\'s "chromium" package (apt-get)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update', '-qq'], env)) run('apt-get', ['install', '-y', '-qq', 'chromium'], env);
    return;
  }
  console.log('No Chromium found: installing Playwright\'s Chromium ("playwright-core install chromium")...');
  run(process.execPath, [join('node_modules', 'playwright-core', 'cli.js'), 'install', 'chromium']);
}

/** What to do by hand when nothing could be installed: one line. */
function installAdvice(): string {
  if (process.env.CHROMIUM_PATH)
    return `CHROMIUM_PATH is set to ${process.env.CHROMIUM_PATH}, which does not exist: point it at a Chromium or Chrome executable.`;
  const byHand = isDebianLike() ? 'sudo apt install chromium' : 'npx playwright-core install chromium';
  return `No Chromium or Chrome found, and none could be installed: run "${byHand}" (or install Google Chrome), or set CHROMIUM_PATH to a Chromium or Chrome executable.`;
}

/** The browser's path, installing one when none is found; throws with one line of advice otherwise. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  if (!process.env.CHROMIUM_PATH) installChromium();
  const installed = findChromium();
  if (!installed) throw new Error(installAdvice());
  return installed;
}

/** The closed network refuses Chromium's background calls, so they are switched off. */
export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(installAdvice());
  return {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  };
}
