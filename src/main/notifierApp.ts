import { writeFile } from 'node:fs/promises';
import { webhookUrlFor } from '../core/receiver/webhookUrl';
import type { BrowserWindow } from 'electron';
import type { AppStatus } from '../core/app/appStatus';
import { crmUrlFor } from '../core/app/externalLinks';
import { isPaused, pauseUntil } from '../core/app/pause';
import { trayView, type MenuAction, type TrayIcon } from '../core/app/trayModel';
import { createCallService } from '../core/callService';
import { createScreenPop } from '../core/calls/screenPop';
import type { ContactLibrary } from '../core/contacts/contactLibrary';
import type { CallDatabase } from '../core/history/callDatabase';
import type { Logger } from '../core/log/logger';
import { generateWebhookToken } from '../core/receiver/webhookToken';
import type { SecretStore } from '../core/settings/secretStore';
import type { SettingsStore } from '../core/settings/settingsStore';
import { checkConnection, checkTeamConnection } from '../core/tunnel/connectionDoctor';
import type { TunnelDriver } from '../core/tunnel/tunnelDriver';
import { createTunnelHost } from '../core/tunnel/tunnelHost';
import { createTunnelManager } from '../core/tunnel/tunnelManager';
import { agentLegPayload, sampleCall } from '../core/telecmi/sampleEvents';
import { sendEvent } from '../core/telecmi/sendEvent';
import { newCallRecord } from '../core/calls/callLifecycle';
import { createTeamConnection, watchNetwork } from '../core/team/teamConnection';
import { parseTelecmiEvent } from '../core/telecmi/parseEvent';
import { contactHandlers } from './contactHandlers';
import { teamHandlers } from './teamHandlers';
import { createDesktopNotifier } from './desktopNotifier';
import type { ElectronDeps } from './electronDeps';
import { createPusher, registerIpc, trustedSender, type InvokeHandlers } from './ipc';
import { createTrayController } from './trayController';
import { createTrayWindow } from './trayWindow';

export interface NotifierAppOptions {
  electron: ElectronDeps;
  settings: SettingsStore;
  /** The ngrok authtoken, encrypted by the OS keychain. */
  secrets: SecretStore;
  /** The team join code (it holds the broker password), encrypted the same way. */
  teamJoinCode: SecretStore;
  tunnelDriver: TunnelDriver;
  /** The history's database; in memory, with the reason, when the data folder cannot hold it. */
  history: { database: CallDatabase; notSavedBecause?: string };
  /** Callers' names (imported contacts, kept in the data folder). */
  contacts: ContactLibrary;
  log: Logger;
  paths: {
    preload: string;
    trayIcon: (icon: TrayIcon) => string;
    notificationIcon: string;
    logsFolder: string;
  };
  /** Loads the renderer into the window, and tells whether a URL is that renderer. */
  renderer: { load: (window: BrowserWindow) => Promise<void>; isOurPage: (url: string) => boolean };
  setStartAtLogin: (enabled: boolean) => void;
  /** True once the app is quitting: until then, closing the window only hides it. */
  isQuitting: () => boolean;
  devTools: boolean;
  now?: () => number;
}

export type NotifierApp = Awaited<ReturnType<typeof startNotifierApp>>;

/** Wires the core to the desktop: tray, notifications, window, IPC. Decisions stay in the core. */
export async function startNotifierApp(options: NotifierAppOptions) {
  const { electron, settings, log, paths, now = Date.now } = options;
  const trayWindow = createTrayWindow({
    electron,
    preloadPath: paths.preload,
    load: options.renderer.load,
    devTools: options.devTools,
    isQuitting: options.isQuitting,
    onSessionEnd: () => service.history.flush(),
    now,
  });
  const push = createPusher(() => trayWindow.webContents(), log);

  const showWindow = (view: 'calls' | 'settings' | 'welcome' | 'check', callId?: string): void => {
    trayWindow.showNear(tray.bounds());
    push('window:show', { view, callId });
  };

  const notifier = createDesktopNotifier({
    Notification: electron.Notification,
    iconPath: paths.notificationIcon,
    playSound: () => settings.get().notificationSound,
    onClick: ({ view, callId }) => showWindow(view, callId),
    crmUrl: (call) => crmUrlFor(settings.get().crmUrlTemplate, call),
    openExternal: (url) => void electron.shell.openExternal(url),
    platform: electron.platform,
    log,
  });
  const service = createCallService({
    settings: settings.get(),
    notifier,
    database: options.history.database,
    historyNotSavedBecause: options.history.notSavedBecause,
    onSaveState: () => refresh(),
    log,
    isMuted: () => isPaused(settings.get().pausedUntil, now()),
    onStatus: () => refresh(),
    namesFor: options.contacts.namesFor,
    onLive: createScreenPop({
      mode: () => settings.get().screenPop,
      urlFor: (call) => crmUrlFor(settings.get().crmUrlTemplate, call),
      open: (url) => void electron.shell.openExternal(url),
    }),
  });
  const tunnel = createTunnelManager({
    driver: options.tunnelDriver,
    log,
    onStatus: () => refresh(),
    onUrlChanged: (url) => notifier.notify({ type: 'url-changed', url }),
    lastUrl: settings.get().lastPublicUrl,
  });
  const tunnelHost = createTunnelHost(tunnel, () => options.secrets.get());
  const syncTunnel = (): Promise<void> => tunnelHost.sync(settings.get(), service.status());
  const team = createTeamConnection({ log, onEvent: (event, options) => service.ingest(event, options), onStatus: () => refresh() });
  /**
   * Receiver and tunnel, or the team's server: exactly one way of receiving calls runs. One sync
   * at a time, each reading the settings when its turn comes (a quick join and leave, a double click).
   */
  let syncing = Promise.resolve();
  function syncConnection(): Promise<void> {
    syncing = syncing
      .then(async () => {
        const { connectionMode, teamClientId } = settings.get();
        await service.setReceiving(connectionMode === 'receiver');
        await team.sync({ mode: connectionMode, joinCode: options.teamJoinCode.get(), clientId: teamClientId });
        await syncTunnel();
      })
      .catch((error: unknown) => log.error('could not switch how calls are received', { error: String(error) }));
    return syncing;
  }

  function status(): AppStatus {
    const { pausedUntil, startAtLogin, token, ownTunnelUrl, tunnelMode } = settings.get();
    const tunnelStatus = tunnel.status();
    const publicOrigin = tunnelStatus.state === 'online' ? tunnelStatus.url : tunnelMode === 'own' ? ownTunnelUrl : '';
    return {
      receiver: service.status(),
      pausedUntil: isPaused(pausedUntil, now()) ? pausedUntil : null,
      unread: service.history.unreadCount(),
      startAtLogin,
      tunnel: tunnelStatus,
      publicWebhookUrl: publicOrigin ? webhookUrlFor(publicOrigin, token) : undefined,
      ngrokAuthtokenSaved: options.secrets.has(),
      secretsEncrypted: options.secrets.encrypts(),
      history: service.history.saveState(),
      contacts: options.contacts.summary(),
      team:
        settings.get().connectionMode === 'team'
          ? (team.status() ?? { state: 'offline', teamServer: 'unknown', reason: 'no join code saved' })
          : null,
      lastEventAt: service.lastEventAt(),
    };
  }

  let resumeTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  function refresh(): void {
    if (stopping) return;
    rememberPublicUrl();
    const current = status();
    tray.render(trayView(current, now()));
    push('status:changed', current);
    clearTimeout(resumeTimer);
    // The tray must change back by itself when a pause runs out.
    if (current.pausedUntil !== null) resumeTimer = setTimeout(refresh, Math.min(current.pausedUntil - now() + 50, 2 ** 31 - 1));
  }

  async function sendTestCall(): Promise<{ ok: boolean; message: string }> {
    if (settings.get().connectionMode === 'team') return showLocalTestCall();
    const { webhookUrl } = service.status();
    if (!webhookUrl) return { ok: false, message: 'The receiver is not listening.' };
    const { agents, teams, pausedUntil } = settings.get();
    const call = sampleCall({
      user: agents[0] ?? '204_2222223',
      team: teams[0] ?? 'Sales_2222223',
      custom: { source: 'test call' },
    });
    const { ok, answer } = await sendEvent(webhookUrl, 'POST', agentLegPayload(call, 'started', now()));
    if (!ok) return { ok, message: `The receiver refused the test call: ${answer}` };
    const paused = isPaused(pausedUntil, now());
    return { ok, message: paused ? 'Test call received (notifications are paused).' : 'Test call sent: a notification should appear.' };
  }

  /** In team mode the webhook is the team server's: the test is a notification from here, and says so. */
  function showLocalTestCall(): { ok: boolean; message: string } {
    const call = sampleCall({
      user: settings.get().teamIdentity?.agent ?? '204_2222223',
      custom: { source: 'local test: not through the team server' },
    });
    const parsed = parseTelecmiEvent(agentLegPayload(call, 'started', now()), now());
    if (parsed.ok) notifier.notify({ type: 'ringing', call: newCallRecord(parsed.event) });
    return { ok: true, message: 'Local test notification shown (it did not go through the team server).' };
  }

  const menuActions: Record<MenuAction, () => unknown> = {
    'open-calls': () => showWindow('calls'),
    'open-settings': () => showWindow('settings'),
    'pause-hour': () => settings.patch({ pausedUntil: pauseUntil('hour', new Date(now())) }),
    'pause-tomorrow': () => settings.patch({ pausedUntil: pauseUntil('tomorrow', new Date(now())) }),
    resume: () => settings.patch({ pausedUntil: null }),
    'copy-webhook-url': () => electron.clipboard.writeText(status().publicWebhookUrl ?? service.status().webhookUrl ?? ''),
    'check-connection': () => showWindow('check'),
    'send-test-call': () => sendTestCall().then(({ message }) => log.info(message)),
    'toggle-start-at-login': () => settings.patch({ startAtLogin: !settings.get().startAtLogin }),
    'open-logs': () => electron.shell.openPath(paths.logsFolder),
    quit: () => electron.app.quit(),
  };

  const tray = createTrayController({
    electron,
    iconPath: paths.trayIcon,
    onAction: (action) =>
      void Promise.resolve(menuActions[action]()).catch((error: unknown) =>
        log.error('tray action failed', { action, error: String(error) }),
      ),
    onClick: () => trayWindow.toggle(tray.bounds()),
  });

  const handlers: InvokeHandlers = {
    'calls:list': () => service.history.list(),
    'calls:mark-read': (ids) => service.history.markRead(ids),
    'calls:mark-all-read': () => service.history.markAllRead(),
    'calls:clear': () => service.history.clear(),
    'calls:open-crm': async (callId) => {
      const call = service.history.get(callId);
      const url = call && crmUrlFor(settings.get().crmUrlTemplate, call);
      if (!url) return { ok: false, message: 'No CRM link: set a CRM URL template with {from} in Settings.' };
      await electron.shell.openExternal(url);
      return { ok: true, message: 'Opened in your browser.' };
    },
    'calls:save-csv': async (csv) => {
      const { canceled, filePath } = await trayWindow.withDialog((parent) =>
        electron.dialog.showSaveDialog(parent, {
          defaultPath: `telecmi-calls-${new Date(now()).toISOString().slice(0, 10)}.csv`,
          filters: [{ name: 'CSV', extensions: ['csv'] }],
        }),
      );
      if (canceled || !filePath) return { ok: false, message: 'Export cancelled.' };
      await writeFile(filePath, csv, 'utf8');
      return { ok: true, message: `Saved ${filePath}` };
    },
    'settings:get': () => settings.get(),
    'settings:update': (changes) => settings.update({ ...settings.get(), ...changes }),
    'settings:regenerate-token': () => settings.patch({ token: generateWebhookToken() }),
    'status:get': () => status(),
    'request-log:list': () => service.requestLog.entries(),
    'app:send-test-call': () => sendTestCall(),
    'app:copy-text': (text) => electron.clipboard.writeText(text),
    'tunnel:set-authtoken': async (authtoken) => {
      await options.secrets.set(authtoken);
      await syncTunnel();
      refresh();
      return { ok: true, message: 'ngrok authtoken saved.' };
    },
    'tunnel:clear-authtoken': async () => {
      options.secrets.clear();
      await syncTunnel();
      refresh();
      return { ok: true, message: 'ngrok authtoken removed.' };
    },
    ...teamHandlers({ settings, joinCode: options.teamJoinCode }),
    ...contactHandlers({ contacts: options.contacts, dialog: electron.dialog, trayWindow, onChange: () => refresh(), log }),
    'tunnel:check': () => {
      const { ownTunnelUrl, tunnelMode, token, connectionMode } = settings.get();
      if (connectionMode === 'team') return checkTeamConnection(status().team, service.lastEventAt());
      return checkConnection({
        receiver: service.status(),
        tunnel: tunnelMode === 'own' ? { state: 'off' } : tunnel.status(),
        ownTunnelUrl,
        token,
        lastEventAt: service.lastEventAt(),
      });
    },
  };
  registerIpc({
    ipcMain: electron.ipcMain,
    isTrustedSender: trustedSender(trayWindow.isOurs, options.renderer.isOurPage),
    handlers,
    log,
  });

  service.history.onChange((change) => {
    push('calls:changed', change);
    refresh();
  });
  service.requestLog.onEntry((entry) => push('request-log:added', entry));
  settings.onChange((next, previous) => {
    if (next.startAtLogin !== previous.startAtLogin) options.setStartAtLogin(next.startAtLogin);
    if (next.defaultCountry !== previous.defaultCountry) readContactsAgain(options.contacts.setDefaultCountry(next.defaultCountry));
    push('settings:changed', next);
    refresh();
    void service.apply(next).then(syncConnection).then(refresh);
  });
  // The new public URL is remembered, so the next session notices a change too.
  let announcedUrl = settings.get().lastPublicUrl;
  const rememberPublicUrl = (): void => {
    const current = tunnel.status();
    if (current.state !== 'online' || current.url === announcedUrl) return;
    announcedUrl = current.url;
    settings.patch({ lastPublicUrl: current.url });
  };

  function readContactsAgain(reading: Promise<void>): void {
    reading.catch((error: unknown) => log.error('the contacts could not be read again for the default country', { error: String(error) }));
  }
  readContactsAgain(options.contacts.start());
  if (settings.get().connectionMode === 'receiver') await service.start();
  await syncConnection();
  // After sleep or a network change, reconnect at once instead of waiting for the keep-alive.
  electron.powerMonitor.on('resume', () => team.reconnect());
  const stopWatchingNetwork = watchNetwork(
    () => electron.net.isOnline(),
    () => team.reconnect(),
  );
  refresh();
  // First run: the token is made, so show the URL and the next steps once.
  if (!settings.get().welcomed) showWindow('welcome');

  return {
    service,
    tray,
    trayWindow,
    handlers,
    menuActions,
    status,
    /** Stops the receiver and writes the history; call it before quitting. */
    async stop(): Promise<void> {
      stopping = true;
      await tunnel.stop();
      stopWatchingNetwork();
      await team.stop();
      const { historySaved } = await service.stop();
      if (historySaved) log.info('stopped; history saved');
      else log.error('stopped; the call history could NOT be saved');
      clearTimeout(resumeTimer);
      tray.destroy();
    },
  };
}
