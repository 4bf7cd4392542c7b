import type { BrowserWindow as BrowserWindowType, Rectangle } from 'electron';
import { trayWindowPosition } from '../core/app/windowPosition';
import { isSafeExternalUrl } from '../core/app/externalLinks';
import type { ElectronDeps } from './electronDeps';

export const trayWindowSize = { width: 400, height: 600 };

export interface TrayWindowOptions {
  electron: Pick<ElectronDeps, 'BrowserWindow' | 'screen' | 'shell' | 'platform'>;
  preloadPath: string;
  /** Loads the built renderer (a file) or, in development, the dev server. */
  load: (window: BrowserWindowType) => Promise<void>;
  devTools: boolean;
}

/**
 * The tray window: created hidden, shown near the tray, hidden again on blur where the
 * platform reports focus reliably (not Linux). Sandboxed, isolated, never navigates away.
 */
export function createTrayWindow({ electron, preloadPath, load, devTools }: TrayWindowOptions) {
  const { BrowserWindow, screen, shell, platform } = electron;
  const window = new BrowserWindow({
    ...trayWindowSize,
    show: false,
    frame: platform === 'linux',
    resizable: false,
    fullscreenable: false,
    skipTaskbar: platform !== 'linux',
    title: 'TeleCMI Notifier',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      devTools,
    },
  });
  lockDown(window, (url) => void shell.openExternal(url));
  if (platform !== 'linux') window.on('blur', () => !window.webContents.isDevToolsOpened() && window.hide());
  void load(window);

  function showNear(trayBounds?: Rectangle): void {
    const anchor = trayBounds ?? screen.getPrimaryDisplay().workArea;
    const { workArea } = screen.getDisplayNearestPoint({ x: anchor.x, y: anchor.y });
    const { x, y } = trayWindowPosition(trayWindowSize, workArea, trayBounds);
    window.setPosition(x, y, false);
    window.show();
    window.focus();
  }

  return {
    window,
    showNear,
    toggle(trayBounds?: Rectangle): void {
      if (window.isVisible()) window.hide();
      else showNear(trayBounds);
    },
    isOurs: (webContentsId: number): boolean => !window.isDestroyed() && window.webContents.id === webContentsId,
  };
}

/** No navigation, no new windows, no permissions: links the user clicks open in the browser. */
function lockDown(window: BrowserWindowType, openExternal: (url: string) => void): void {
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}
