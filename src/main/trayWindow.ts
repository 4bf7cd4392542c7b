import type { BrowserWindow as BrowserWindowType, Rectangle, WebContents } from 'electron';
import { trayWindowPosition } from '../core/app/windowPosition';
import { isSafeExternalUrl } from '../core/app/externalLinks';
import type { ElectronDeps } from './electronDeps';

export const trayWindowSize = { width: 400, height: 600 };

/**
 * On Windows a click on the tray icon first blurs the open window (which hides it) and then
 * arrives as a click (which would show it again): a click this soon after a blur-hide is the
 * same gesture, meant to close the window (menubar#274).
 */
export const clickAfterBlurMs = 400;

export interface TrayWindowOptions {
  electron: Pick<ElectronDeps, 'BrowserWindow' | 'screen' | 'shell' | 'platform'>;
  preloadPath: string;
  /** Loads the built renderer (a file) or, in development, the dev server. */
  load: (window: BrowserWindowType) => Promise<void>;
  devTools: boolean;
  /** True once the app is quitting: only then may the window really close. */
  isQuitting: () => boolean;
  /** Windows is shutting down or logging off: history must be written now. */
  onSessionEnd?: () => void;
  now?: () => number;
}

export type TrayWindow = ReturnType<typeof createTrayWindow>;

/**
 * The tray window: created hidden, shown near the tray, hidden again on blur where the
 * platform reports focus reliably (not Linux). Closing it (Linux's close button, Alt+F4) hides
 * it: the app lives on in the tray. Should it be destroyed anyway, the next show makes a new one.
 * Sandboxed, isolated, never navigates away.
 */
export function createTrayWindow({ electron, preloadPath, load, devTools, isQuitting, onSessionEnd, now = Date.now }: TrayWindowOptions) {
  const { BrowserWindow, screen, shell, platform } = electron;
  let hiddenByBlurAt = Number.NEGATIVE_INFINITY;
  let sessionEnding = false;
  /** A file dialog is open over the window: its focus moves to the dialog, and the window must stay. */
  let dialogsOpen = 0;
  let window = create();

  function create(): BrowserWindowType {
    const created = new BrowserWindow({
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
    lockDown(created, (url) => void shell.openExternal(url));
    created.on('close', (event) => {
      if (isQuitting() || sessionEnding) return;
      event.preventDefault();
      created.hide();
    });
    created.on('session-end', () => {
      sessionEnding = true;
      onSessionEnd?.();
    });
    if (platform !== 'linux') {
      created.on('blur', () => {
        if (created.webContents.isDevToolsOpened() || !created.isVisible() || dialogsOpen > 0) return;
        created.hide();
        hiddenByBlurAt = now();
      });
    }
    void load(created);
    return created;
  }

  /** The window, made anew if something destroyed it. */
  function current(): BrowserWindowType {
    if (window.isDestroyed()) window = create();
    return window;
  }

  function showNear(trayBounds?: Rectangle): void {
    const shown = current();
    const anchor = trayBounds ?? screen.getPrimaryDisplay().workArea;
    const { workArea } = screen.getDisplayNearestPoint({ x: anchor.x, y: anchor.y });
    const { x, y } = trayWindowPosition(trayWindowSize, workArea, trayBounds);
    shown.setPosition(x, y, false);
    shown.show();
    shown.focus();
  }

  return {
    current,
    showNear,
    /** Runs a dialog attached to the window (a sheet on macOS), which keeps it open meanwhile. */
    async withDialog<T>(open: (parent: BrowserWindowType) => Promise<T>): Promise<T> {
      dialogsOpen += 1;
      try {
        return await open(current());
      } finally {
        dialogsOpen -= 1;
      }
    },
    /** The tray icon's click: hides an open window, shows a hidden one (not the click that just blurred it). */
    toggle(trayBounds?: Rectangle): void {
      if (!window.isDestroyed() && window.isVisible()) window.hide();
      else if (now() - hiddenByBlurAt >= clickAfterBlurMs) showNear(trayBounds);
    },
    /** The page, while there is one to send to. */
    webContents: (): WebContents | undefined => (window.isDestroyed() || window.webContents.isDestroyed() ? undefined : window.webContents),
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
