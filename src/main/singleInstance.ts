import type { App } from 'electron';

/**
 * Two copies would fight over the port: a second launch hands over to the first (which shows
 * its window) and quits. True when this process is the one that runs.
 */
export function claimSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>, onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondLaunch);
  return true;
}
