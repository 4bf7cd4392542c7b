import type * as electron from 'electron';

/**
 * The parts of Electron the shell uses, passed in rather than imported, so unit tests run the
 * shell against a small fake (test/main/fakeElectron.ts) without Electron's binary.
 */
export interface ElectronDeps {
  app: Pick<
    electron.App,
    'getPath' | 'getVersion' | 'quit' | 'setLoginItemSettings' | 'getLoginItemSettings' | 'setAppUserModelId' | 'isPackaged' | 'on'
  > & { dock?: Pick<electron.Dock, 'hide' | 'setBadge'> };
  Tray: new (
    image: electron.NativeImage,
  ) => Pick<
    electron.Tray,
    | 'setImage'
    | 'setToolTip'
    | 'setContextMenu'
    | 'popUpContextMenu'
    | 'setIgnoreDoubleClickEvents'
    | 'setTitle'
    | 'getBounds'
    | 'on'
    | 'destroy'
  >;
  Menu: Pick<typeof electron.Menu, 'buildFromTemplate'>;
  Notification: Pick<typeof electron.Notification, 'isSupported'> &
    (new (options: electron.NotificationConstructorOptions) => Pick<electron.Notification, 'show' | 'close' | 'on'>);
  nativeImage: Pick<typeof electron.nativeImage, 'createFromPath'>;
  BrowserWindow: typeof electron.BrowserWindow;
  screen: Pick<electron.Screen, 'getDisplayNearestPoint' | 'getPrimaryDisplay'>;
  shell: Pick<electron.Shell, 'openExternal' | 'openPath'>;
  clipboard: Pick<electron.Clipboard, 'writeText'>;
  dialog: Pick<electron.Dialog, 'showSaveDialog' | 'showOpenDialog'>;
  ipcMain: Pick<electron.IpcMain, 'handle'>;
  powerMonitor: Pick<electron.PowerMonitor, 'on'>;
  net: Pick<electron.Net, 'isOnline'>;
  platform: NodeJS.Platform;
}
