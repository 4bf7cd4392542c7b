import { hostname } from 'node:os';
import type { BrowserWindow } from 'electron';
import type { AppStatus } from '../core/app/appStatus';
import { crmUrlFor } from '../core/app/externalLinks';
import { isPaused, pauseUntil } from '../core/app/pause';
import { trayView, type MenuAction, type TrayIcon } from '../core/app/trayModel';
import { createCallHost } from '../core/host/callHost';
import { createScreenPop } from '../core/calls/screenPop';
import type { ContactLibrary } from '../core/contacts/contactLibrary';
import type { CallDatabase } from '../core/history/callDatabase';
import type { Logger } from '../core/log/logger';
import { createHttpTransport } from '../core/receiver/httpTransport';
import { webhookUrlFor } from '../core/receiver/webhookUrl';
import type { SecretStore } from '../core/settings/secretStore';
import type { SettingsStore } from '../core/settings/settingsStore';
import { hostSettingsFor } from '../core/app/hostSettings';
import type { TunnelDriver } from '../core/tunnel/tunnelDriver';
import { createTunnelHost } from '../core/tunnel/tunnelHost';
import { createTunnelManager } from '../core/tunnel/tunnelManager';
import { createTeamConnection, watchNetwork } from '../core/team/desktop/teamConnection';
import { deviceStore } from './deviceStore';
import { appHandlers } from './appHandlers';
import { callHandlers } from './callHandlers';
import { contactHandlers } from './contactHandlers';
import { teamHandlers } from './teamHandlers';
import { createDesktopNotifier } from './desktopNotifier';
import type { ElectronDeps } from './electronDeps';
import { createPusher, registerIpc, trustedSender, type InvokeHandlers } from './ipc';
import { createTrayController } from './trayController';
import { createTrayWindow } from './trayWindow';
import { testCallSender } from './testCall';
import { tunnelHandlers } from './tunnelHandlers';

export interface NotifierAppOptions {
  electron: ElectronDeps;
  settings: SettingsStore;
  /** The ngrok authtoken, encrypted by the OS keychain. */
  secrets: SecretStore;
  /** The team join code (single use, it holds an invitation), encrypted the same way. */
  teamJoinCode: SecretStore;
  /** This desktop's own team credentials, traded once for the join code, encrypted the same way. */
  teamDevice: SecretStore;
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

/**
 * Wires the core to the desktop: tray, notifications, window, IPC. Decisions stay in the core.
 * One pipeline host, and exactly one transport feeding it: the webhook receiver (with its tunnel),
 * or the team's broker.
 */
export async function startNotifierApp(options: NotifierAppOptions) {
  const { electron, settings, log, paths, now = Date.now } = options;
  const trayWindow = createTrayWindow({
    electron,
    preloadPath: paths.preload,
    load: options.renderer.load,
    devTools: options.devTools,
    isQuitting: options.isQuitting,
    onSessionEnd: () => host.history.flush(),
    now,
  });
  const push = createPusher(() => trayWindow.webContents(), log);

  const showWindow = (view: 'calls' | 'call-back' | 'settings' | 'welcome' | 'check', callId?: string): void => {
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
  const host = createCallHost({
    settings: hostSettingsFor(settings.get()),
    agentNameOf: (agent) => settings.get().agentNames[agent],
    notifier,
    database: options.history.database,
    historyNotSavedBecause: options.history.notSavedBecause,
    onSaveState: () => refresh(),
    log,
    isMuted: () => isPaused(settings.get().pausedUntil, now()),
    namesFor: options.contacts.namesFor,
    onLive: createScreenPop({
      mode: () => settings.get().screenPop,
      urlFor: (call) => crmUrlFor(settings.get().crmUrlTemplate, call),
      open: (url) => void electron.shell.openExternal(url),
    }),
  });
  const receiver = createHttpTransport({
    settings: settings.get(),
    ingest: host.ingest,
    log,
    onStatus: (status) => {
      if (status.state === 'error') log.error('receiver could not start', { error: status.error });
      refresh();
    },
  });
  const tunnel = createTunnelManager({
    driver: options.tunnelDriver,
    log,
    onStatus: () => refresh(),
    onUrlChanged: (url) => notifier.notify({ type: 'url-changed', url }),
    lastUrl: settings.get().lastPublicUrl,
  });
  const tunnelHost = createTunnelHost(tunnel, () => options.secrets.get());
  const syncTunnel = (): Promise<void> => tunnelHost.sync(settings.get(), receiver.status());
  const team = createTeamConnection({
    log,
    onEvent: (event, options) => host.ingest(event, options),
    onStatus: () => refresh(),
    devices: deviceStore(options.teamDevice, log),
    about: { version: electron.app.getVersion(), label: hostname() },
    onEnrolled: ({ agent, teams, url }) => settings.patch({ teamIdentity: { agent, teams, brokerHost: new URL(url).host } }),
  });
  /**
   * Receiver and tunnel, or the team's server: exactly one transport runs. One sync at a time, each
   * reading the settings when its turn comes (a quick join and leave, a double click).
   */
  let syncing = Promise.resolve();
  function syncConnection(): Promise<void> {
    syncing = syncing
      .then(async () => {
        const { connectionMode } = settings.get();
        await (connectionMode === 'receiver' ? receiver.start() : receiver.stop());
        await team.sync({ mode: connectionMode, joinCode: options.teamJoinCode.get() });
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
      receiver: receiver.status(),
      pausedUntil: isPaused(pausedUntil, now()) ? pausedUntil : null,
      unread: host.history.unreadCount(),
      toCallBack: host.history.callBackCount(),
      startAtLogin,
      tunnel: tunnelStatus,
      publicWebhookUrl: publicOrigin ? webhookUrlFor(publicOrigin, token) : undefined,
      ngrokAuthtokenSaved: options.secrets.has(),
      secretsEncrypted: options.secrets.encrypts(),
      history: host.history.saveState(),
      contacts: options.contacts.summary(),
      team:
        settings.get().connectionMode === 'team'
          ? (team.status() ?? { state: 'offline', teamServer: 'unknown', reason: 'no join code saved' })
          : null,
      lastEventAt: host.lastEventAt(),
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

  const sendTestCall = testCallSender({ settings, receiver: receiver.status, notifier, now });

  const menuActions: Record<MenuAction, () => unknown> = {
    'open-calls': () => showWindow('calls'),
    'open-call-back': () => showWindow('call-back'),
    'open-settings': () => showWindow('settings'),
    'pause-hour': () => settings.patch({ pausedUntil: pauseUntil('hour', new Date(now())) }),
    'pause-tomorrow': () => settings.patch({ pausedUntil: pauseUntil('tomorrow', new Date(now())) }),
    resume: () => settings.patch({ pausedUntil: null }),
    'copy-webhook-url': () => electron.clipboard.writeText(status().publicWebhookUrl ?? receiver.status().webhookUrl ?? ''),
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
    ...callHandlers({ host, settings, electron, trayWindow, now }),
    ...appHandlers({ settings, status, requestLog: receiver.requestLog, sendTestCall, clipboard: electron.clipboard }),
    ...tunnelHandlers({
      settings,
      secrets: options.secrets,
      syncTunnel,
      receiver: receiver.status,
      tunnel: tunnel.status,
      team: () => status().team,
      lastEventAt: host.lastEventAt,
      onChange: () => refresh(),
    }),
    ...teamHandlers({ settings, joinCode: options.teamJoinCode }),
    ...contactHandlers({ contacts: options.contacts, dialog: electron.dialog, trayWindow, onChange: () => refresh(), log }),
  };
  registerIpc({
    ipcMain: electron.ipcMain,
    isTrustedSender: trustedSender(trayWindow.isOurs, options.renderer.isOurPage),
    handlers,
    log,
  });

  host.history.onChange((change) => {
    push('calls:changed', change);
    refresh();
  });
  receiver.requestLog.onEntry((entry) => push('request-log:added', entry));
  settings.onChange((next, previous) => {
    if (next.startAtLogin !== previous.startAtLogin) options.setStartAtLogin(next.startAtLogin);
    if (next.defaultCountry !== previous.defaultCountry) readContactsAgain(options.contacts.setDefaultCountry(next.defaultCountry));
    push('settings:changed', next);
    refresh();
    host.apply(hostSettingsFor(next));
    void receiver.apply(next).then(syncConnection).then(refresh);
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
    host,
    receiver,
    tray,
    trayWindow,
    handlers,
    menuActions,
    status,
    /** Stops the transports and writes the history; call it before quitting. */
    async stop(): Promise<void> {
      stopping = true;
      await tunnel.stop();
      stopWatchingNetwork();
      await team.stop();
      await receiver.stop();
      const { historySaved } = host.stop();
      if (historySaved) log.info('stopped; history saved');
      else log.error('stopped; the call history could NOT be saved');
      clearTimeout(resumeTimer);
      tray.destroy();
    },
  };
}
