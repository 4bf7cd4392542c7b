import type { LaunchOptions } from 'playwright-core';

/**
 * Debian's Chromium, as the tests and the icon script launch it. The closed network refuses
 * Chromium's background calls, so they are switched off.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumLaunchOptions(): LaunchOptions {
  return {
    executablePath: chromiumPath,
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
