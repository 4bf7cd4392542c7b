import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as electron from 'electron';
import Store from 'electron-store';
import { appIdentity } from '../core/app/appIdentity';
import { openHistoryFile } from '../core/history/historyFile';
import { openSecretStore } from '../core/settings/secretStore';
import { createSettingsStore } from '../core/settings/settingsStore';
import { createNgrokDriver } from '../core/tunnel/ngrokDriver';
import { openOrStartOver } from '../core/storage/keptAside';
import type { Settings } from '../core/settings/settingsSchema';
import type { ElectronDeps } from './electronDeps';
import { loginItemSetter } from './loginItem';
import { setUpLogging } from './logging';
import { claimSingleInstance } from './singleInstance';
import { startNotifierApp, type NotifierApp } from './notifierApp';

const { app } = electron;
const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const assets = app.isPackaged ? join(process.resourcesPath, 'assets') : here('../../assets');
const rendererFile = here('../renderer/index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;

// A data folder of one's own (a portable install, the end-to-end test), set before anything reads
// it; setPath throws on a folder that does not exist yet.
if (process.env.TELECMI_NOTIFIER_DATA_DIR) app.setPath('userData', privateFolder(process.env.TELECMI_NOTIFIER_DATA_DIR));

let running: NotifierApp | undefined;
let quitting = false;
if (claimSingleInstance(app, () => running?.menuActions['open-calls']())) {
  app.setAppUserModelId(appIdentity.appId);
  // A tray app stays alive with no window open.
  app.on('window-all-closed', () => undefined);
  void app.whenReady().then(async () => {
    app.dock?.hide();
    running = await start();
  });
  app.on('before-quit', (event) => {
    if (quitting || !running) return;
    event.preventDefault();
    quitting = true;
    void running.stop().finally(() => app.quit());
  });
}

async function start(): Promise<NotifierApp> {
  const { log, folder: logsFolder } = setUpLogging();
  const userData = app.getPath('userData');
  const settingsPath = join(userData, 'settings.json');
  const settingsFile = openOrStartOver(settingsPath, () => new Store<Settings>({ name: 'settings', clearInvalidConfig: false }), (store) => store.store, log);
  const { Tray, Menu, Notification, nativeImage, BrowserWindow, screen, shell, clipboard, dialog, ipcMain, safeStorage } = electron;
  const deps: ElectronDeps = {
    ...{ app, Tray, Menu, Notification, nativeImage, BrowserWindow, screen, shell, clipboard, dialog, ipcMain },
    platform: process.platform,
  };
  const templateIcons = process.platform === 'darwin';
  return startNotifierApp({
    electron: deps,
    settings: createSettingsStore({ file: { read: () => settingsFile.store, write: (value) => (settingsFile.store = value) }, log }),
    secrets: await openSecretStore({
      cipher: {
        isAsyncEncryptionAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
        getSelectedStorageBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'),
        encryptStringAsync: (text) => safeStorage.encryptStringAsync(text),
        decryptStringAsync: (bytes) => safeStorage.decryptStringAsync(bytes),
      },
      // Readable by this user only, encrypted or not.
      file: new Store({ name: 'secrets', clearInvalidConfig: true, configFileMode: 0o600 }),
      log,
    }),
    tunnelDriver: createNgrokDriver(),
    historyStore: openHistoryFile({
      filePath: join(userData, 'calls.json'),
      open: () => new Store({ name: 'calls', clearInvalidConfig: false, serialize: JSON.stringify }),
      log,
    }),
    log,
    paths: {
      preload: here('../preload/index.cjs'),
      trayIcon: (icon) => join(assets, 'tray', templateIcons ? `${icon}Template.png` : `${icon}.png`),
      notificationIcon: join(assets, 'notification.png'),
      logsFolder,
    },
    renderer: {
      load: (window) => (devServerUrl ? window.loadURL(devServerUrl) : window.loadFile(rendererFile)),
      isOurPage: (url) => (devServerUrl ? url.startsWith(devServerUrl) : url.startsWith(pathToFileURL(rendererFile).href)),
    },
    setStartAtLogin: loginItemSetter(deps),
    isQuitting: () => quitting,
    devTools: !app.isPackaged,
  });
}

/** The folder, made if missing, readable by this user only where the platform has modes. */
function privateFolder(folder: string): string {
  const absolute = resolve(folder);
  mkdirSync(absolute, { recursive: true, mode: 0o700 });
  return absolute;
}
