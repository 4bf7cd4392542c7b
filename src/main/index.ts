import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as electron from 'electron';
import Store from 'electron-store';
import { appIdentity } from '../core/app/appIdentity';
import { openCallDatabase, type CallDatabase } from '../core/history/callDatabase';
import { useHistoryWorker } from '../core/history/worker/historyThread';
import { openFolderHistory } from '../core/history/worker/workerDatabase';
import type { Logger } from '../core/log/logger';
import { openSecretStore } from '../core/settings/secretStore';
import { createSettingsStore } from '../core/settings/settingsStore';
import { createNgrokDriver } from '../core/tunnel/ngrokDriver';
import { openOrStartOver } from '../core/storage/keptAside';
import { createContactLibrary } from '../core/contacts/contactLibrary';
import { makePrivateFolder } from '../core/storage/privateFolder';
import type { Settings } from '../core/settings/settingsSchema';
import type { ElectronDeps } from './electronDeps';
import { loginItemSetter } from './loginItem';
import { setUpLogging } from './logging';
import { claimSingleInstance } from './singleInstance';
import { startNotifierApp, type NotifierApp } from './notifierApp';
import { errorMessage } from '../core/log/errorMessage';

const { app } = electron;
const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
// Built, the history's worker sits beside this file (electron.vite.config.ts).
useHistoryWorker(new URL('./historyWorker.js', import.meta.url));
const assets = app.isPackaged ? join(process.resourcesPath, 'assets') : here('../../assets');
const rendererFile = here('../renderer/index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;

// A data folder of one's own (a portable install, the end-to-end test), set before anything reads
// it; setPath throws on a folder that does not exist yet.
if (process.env.TELECMI_NOTIFIER_DATA_DIR) app.setPath('userData', makePrivateFolder(resolve(process.env.TELECMI_NOTIFIER_DATA_DIR)));

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
    if (quitting) return;
    // Set first: a quit while the app is still starting must let its window close (a prevented
    // close cancels the quit), and must not be turned into a hide.
    quitting = true;
    if (!running) return;
    event.preventDefault();
    void running.stop().finally(() => app.quit());
  });
}

async function start(): Promise<NotifierApp> {
  const { log, folder: logsFolder } = setUpLogging();
  const userData = app.getPath('userData');
  tryToMakePrivate(userData, log);
  const settingsPath = join(userData, 'settings.json');
  const settingsFile = openOrStartOver(
    settingsPath,
    () => new Store<Settings>({ name: 'settings', clearInvalidConfig: false, configFileMode: 0o600 }),
    (store) => store.store,
    log,
  );
  const {
    Tray,
    Menu,
    Notification,
    nativeImage,
    BrowserWindow,
    screen,
    shell,
    clipboard,
    dialog,
    ipcMain,
    safeStorage,
    powerMonitor,
    net,
  } = electron;
  const deps: ElectronDeps = {
    ...{ app, Tray, Menu, Notification, nativeImage, BrowserWindow, screen, shell, clipboard, dialog, ipcMain, powerMonitor, net },
    platform: process.platform,
  };
  const cipher = {
    isAsyncEncryptionAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
    getSelectedStorageBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'),
    encryptStringAsync: (text: string) => safeStorage.encryptStringAsync(text),
    decryptStringAsync: (bytes: Buffer) => safeStorage.decryptStringAsync(bytes),
  };
  // Readable by this user only, encrypted or not.
  const secretsFile = new Store({ name: 'secrets', clearInvalidConfig: true, configFileMode: 0o600 });
  const templateIcons = process.platform === 'darwin';
  const settings = createSettingsStore({ file: { read: () => settingsFile.store, write: (value) => (settingsFile.store = value) }, log });
  return startNotifierApp({
    electron: deps,
    settings,
    secrets: await openSecretStore({ cipher, file: secretsFile, log }),
    teamJoinCode: await openSecretStore({ cipher, file: secretsFile, log, key: 'teamJoinCode' }),
    teamDevice: await openSecretStore({ cipher, file: secretsFile, log, key: 'teamDevice' }),
    tunnelDriver: createNgrokDriver(),
    history: openHistoryOrKeepInMemory(userData, log),
    contacts: createContactLibrary({ dataDir: userData, defaultCountry: settings.get().defaultCountry, log }),
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

/** Notifications matter more than history: a data folder that cannot hold it is reported, not fatal. */
function openHistoryOrKeepInMemory(folder: string, log: Logger): { database: CallDatabase; notSavedBecause?: string } {
  try {
    return { database: openFolderHistory(folder, log) };
  } catch (error) {
    const notSavedBecause = errorMessage(error);
    log.error('the call history cannot be kept in the data folder; calls are kept in memory only', { folder, error: notSavedBecause });
    return { database: openCallDatabase(undefined, log), notSavedBecause };
  }
}

function tryToMakePrivate(folder: string, log: Logger): void {
  try {
    makePrivateFolder(folder);
  } catch (error) {
    log.warn('could not make the data folder private to this user', { folder, error: String(error) });
  }
}
