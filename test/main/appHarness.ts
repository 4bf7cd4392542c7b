import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContactLibrary } from '../../src/core/contacts/contactLibrary';
import { silentLogger } from '../../src/core/log/logger';
import { openSecretStore } from '../../src/core/settings/secretStore';
import { createSettingsStore } from '../../src/core/settings/settingsStore';
import { loopbackTunnel } from '../support/loopbackTunnel';
import { settingsSchema, type Settings } from '../../src/core/settings/settingsSchema';
import { startNotifierApp } from '../../src/main/notifierApp';
import { memoryDatabase, recordingLogger } from '../support/fakes';
import { freePort } from '../support/freePort';
import { FakeBrowserWindow, FakeTray, fakeElectron } from './fakeElectron';

export const ourPage = 'file:///app/out/renderer/index.html';

/** safeStorage's stand-in: reversible, and visibly not the plain text. */
export const fakeCipher = {
  isAsyncEncryptionAvailable: async () => true,
  encryptStringAsync: async (text: string) => Buffer.from(`enc:${[...text].reverse().join('')}`),
  decryptStringAsync: async (bytes: Buffer) => ({ result: [...bytes.toString().slice(4)].reverse().join(''), shouldReEncrypt: false }),
};

/** The real app composition on a fake Electron, with its receiver on a free loopback port. */
export async function startApp(
  settings: Partial<Settings> = {},
  {
    platform = 'linux' as NodeJS.Platform,
    now = Date.now,
    authtoken = '',
    tunnelFailures = [] as string[],
    dataDir = mkdtempSync(join(tmpdir(), 'telecmi-app-')),
  } = {},
) {
  const fake = fakeElectron(platform);
  const log = recordingLogger();
  const written: Settings[] = [];
  const port = await freePort();
  const store = createSettingsStore({
    file: { read: () => settingsSchema.parse({ port, welcomed: true, ...settings }), write: (value) => void written.push(value) },
    log: silentLogger,
  });
  const loginItems: boolean[] = [];
  let quitting = false;
  const secretFile = new Map<string, unknown>();
  const secrets = await openSecretStore({
    cipher: fakeCipher,
    file: {
      get: (key) => secretFile.get(key),
      set: (key, value) => void secretFile.set(key, value),
      delete: (key) => void secretFile.delete(key),
    },
    log: silentLogger,
  });
  if (authtoken) await secrets.set(authtoken);
  const secret = (key: 'teamJoinCode' | 'teamDevice') =>
    openSecretStore({
      cipher: fakeCipher,
      file: {
        get: (name) => secretFile.get(name),
        set: (name, value) => void secretFile.set(name, value),
        delete: (name) => void secretFile.delete(name),
      },
      log: silentLogger,
      key,
    });
  const teamJoinCode = await secret('teamJoinCode');
  const teamDevice = await secret('teamDevice');
  const tunnel = loopbackTunnel();
  tunnel.failWith(...tunnelFailures);
  const app = await startNotifierApp({
    electron: fake.electron,
    settings: store,
    secrets,
    teamJoinCode,
    teamDevice,
    tunnelDriver: tunnel.driver,
    history: { database: memoryDatabase() },
    contacts: createContactLibrary({ dataDir, defaultCountry: store.get().defaultCountry, log: silentLogger }),
    log,
    paths: {
      preload: '/app/out/preload/index.cjs',
      trayIcon: (icon) => `/assets/tray/${icon}.png`,
      notificationIcon: '/assets/notification.png',
      logsFolder: '/logs',
    },
    renderer: { load: async () => undefined, isOurPage: (url) => url === ourPage },
    setStartAtLogin: (enabled) => void loginItems.push(enabled),
    isQuitting: () => quitting,
    devTools: false,
    now,
  });
  const tray = FakeTray.last as FakeTray;
  const window = FakeBrowserWindow.last as FakeBrowserWindow;
  const fromOurWindow = { id: window.webContents.id, url: ourPage };
  return {
    app,
    fake,
    tray,
    window,
    store,
    written,
    tunnel,
    secretFile,
    loginItems,
    log,
    /** Calls an IPC channel from our own window. */
    invoke: (channel: string, ...args: unknown[]) => fake.invoke(channel, fromOurWindow, ...args),
    /** What the app does on Quit before the windows close. */
    beginQuitting: () => void (quitting = true),
    /** What the window was sent, the newest window (made anew if one was destroyed). */
    pushes: (channel: string) =>
      (FakeBrowserWindow.last as FakeBrowserWindow).webContents.sent.filter((sent) => sent.channel === channel).map((sent) => sent.payload),
    webhookUrl: () => app.receiver.status().webhookUrl ?? '',
  };
}
