import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginItemSetter } from '../../src/main/loginItem';
import { claimSingleInstance } from '../../src/main/singleInstance';
import { createTrayController } from '../../src/main/trayController';
import type { TrayView } from '../../src/core/app/trayModel';
import { FakeTray, fakeElectron } from './fakeElectron';

describe('single instance', () => {
  const fakeApp = (gotLock: boolean) => {
    const handlers = new Map<string, () => void>();
    let quits = 0;
    return {
      app: {
        requestSingleInstanceLock: () => gotLock,
        quit: () => void quits++,
        on: (name: string, handler: () => void) => void handlers.set(name, handler),
      },
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
    const setStartAtLogin = loginItemSetter(electron, {
      XDG_CONFIG_HOME: configHome,
      APPIMAGE: '/home/agent/Apps/TeleCMI Notifier.AppImage',
    });
    setStartAtLogin(true);
    const entry = join(configHome, 'autostart', 'telecmi-notifier.desktop');
    expect(readFileSync(entry, 'utf8')).toMatch(
      /^\[Desktop Entry\]\nType=Application\nName=TeleCMI Notifier\nExec="\/home\/agent\/Apps\/TeleCMI Notifier.AppImage"\n/,
    );
    setStartAtLogin(false);
    expect(existsSync(entry)).toBe(false);
    expect(calls.loginItems).toEqual([]);
  });
});

describe('tray controller', () => {
  const view: TrayView = {
    icon: 'listening',
    tooltip: 'TeleCMI Notifier',
    unread: 0,
    menu: [{ type: 'checkbox', label: 'Start at login', action: 'toggle-start-at-login', checked: false }],
  };

  it('sets the menu only when it changed, and anew after a checkbox flipped its own mark', () => {
    const { electron } = fakeElectron('linux');
    const tray = createTrayController({ electron, iconPath: (icon) => icon, onAction: () => undefined, onClick: () => undefined });
    const fake = FakeTray.last as FakeTray;
    tray.render(view);
    tray.render(view);
    expect(fake.menusSet).toBe(1);
    // The action failed: the model is unchanged, but the item now shows a mark it should not.
    fake.clickItem('Start at login');
    tray.render(view);
    expect(fake.menusSet).toBe(2);
  });
});
