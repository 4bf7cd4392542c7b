import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginItemSetter } from '../../src/main/loginItem';
import { claimSingleInstance } from '../../src/main/singleInstance';
import { fakeElectron } from './fakeElectron';

describe('single instance', () => {
  const fakeApp = (gotLock: boolean) => {
    const handlers = new Map<string, () => void>();
    let quits = 0;
    return {
      app: { requestSingleInstanceLock: () => gotLock, quit: () => void quits++, on: (name: string, handler: () => void) => void handlers.set(name, handler) },
      quits: () => quits,
      handlers,
    };
  };

  it('quits a second copy at once', () => {
    const second = fakeApp(false);
    expect(claimSingleInstance(second.app as never, () => undefined)).toBe(false);
    expect(second.quits()).toBe(1);
  });

  it('lets the first copy run and show itself when launched again', () => {
    const first = fakeApp(true);
    let shown = 0;
    expect(claimSingleInstance(first.app as never, () => void shown++)).toBe(true);
    first.handlers.get('second-instance')?.();
    expect(shown).toBe(1);
    expect(first.quits()).toBe(0);
  });
});

describe('start at login', () => {
  it('uses Electron login items on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const { electron, calls } = fakeElectron(platform);
      loginItemSetter(electron)(true);
      expect(calls.loginItems).toEqual([{ openAtLogin: true }]);
    }
  });

  it('writes and removes an XDG autostart entry on Linux, starting the AppImage itself', () => {
    const configHome = mkdtempSync(join(tmpdir(), 'xdg-'));
    const { electron, calls } = fakeElectron('linux');
    const setStartAtLogin = loginItemSetter(electron, { XDG_CONFIG_HOME: configHome, APPIMAGE: '/home/agent/Apps/TeleCMI Notifier.AppImage' });
    setStartAtLogin(true);
    const entry = join(configHome, 'autostart', 'telecmi-notifier.desktop');
    expect(readFileSync(entry, 'utf8')).toMatch(/^\[Desktop Entry\]\nType=Application\nName=TeleCMI Notifier\nExec="\/home\/agent\/Apps\/TeleCMI Notifier.AppImage"\n/);
    setStartAtLogin(false);
    expect(existsSync(entry)).toBe(false);
    expect(calls.loginItems).toEqual([]);
  });
});
