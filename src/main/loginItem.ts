import { homedir } from 'node:os';
import { join } from 'node:path';
import { setLinuxAutostart } from '../core/app/linuxAutostart';
import type { ElectronDeps } from './electronDeps';

/** Start at login: Electron's login items on macOS and Windows, an XDG autostart entry on Linux. */
export function loginItemSetter(electron: Pick<ElectronDeps, 'app' | 'platform'>, env = process.env) {
  return (enabled: boolean): void => {
    if (electron.platform !== 'linux') {
      electron.app.setLoginItemSettings({ openAtLogin: enabled });
      return;
    }
    setLinuxAutostart(enabled, {
      configHome: env.XDG_CONFIG_HOME ?? join(homedir(), '.config'),
      // An AppImage runs from a temporary mount: start the AppImage file itself.
      executable: env.APPIMAGE ?? process.execPath,
    });
  };
}
