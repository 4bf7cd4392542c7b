import { ngrokAuthtokenSchema, type TelecmiBridge } from '../core/ipc/ipcContract';
import { h } from './dom';
import { callsToCsv } from './logic/csvExport';
import { applyHistoryChange, createStore, type View } from './store';
import { createCallDetailsView } from './views/callDetailsView';
import { callsToCallBack } from './logic/callBacks';
import { createCallBackView } from './views/callBackView';
import { createCallListView } from './views/callListView';
import { createRequestLogView } from './views/requestLogView';
import { createSettingsView } from './views/settingsView';
import { createStatusBar } from './views/statusBar';
import { createWelcomeView } from './views/welcomeView';

/** The tray window: it talks to the app through the preload bridge and nothing else. */
export async function startWindow(bridge: TelecmiBridge, root: HTMLElement, now: () => number = Date.now): Promise<void> {
  const store = createStore();
  const notify = (notice: string): void => store.update({ notice });

  const open = (view: View, selectedId?: string): void => {
    store.update({ view, selectedId, notice: undefined });
    if (view === 'details' && selectedId) void bridge.invoke('calls:mark-read', [selectedId]);
  };

  const callList = createCallListView(
    store,
    {
      open: (callId) => open('details', callId),
      markAllRead: () => void bridge.invoke('calls:mark-all-read'),
      exportCsv: (calls) => void bridge.invoke('calls:save-csv', callsToCsv(calls)).then(({ message }) => notify(message)),
      sendTestCall: () => void bridge.invoke('app:send-test-call').then(({ message }) => notify(message)),
      clear: () => {
        if (confirm('Clear the whole call history? This cannot be undone.')) void bridge.invoke('calls:clear');
      },
    },
    now,
  );
  const callBack = createCallBackView(
    store,
    {
      open: (callId) => open('details', callId),
      markDone: (callIds) => void bridge.invoke('calls:mark-called-back', callIds),
    },
    now,
  );
  const details = createCallDetailsView(store, {
    back: () => open('calls'),
    copy: (text) => void bridge.invoke('app:copy-text', text).then(() => notify('Number copied.')),
    openCrm: (callId) => void bridge.invoke('calls:open-crm', callId).then(({ message }) => notify(message)),
  });
  const settings = createSettingsView(
    store,
    {
      save: async (next) => {
        const answer = await bridge.invoke('settings:update', next);
        if (answer.ok) store.update({ settings: answer.settings });
        return answer.ok ? [] : answer.issues;
      },
    },
    {
      copy: (text) => void bridge.invoke('app:copy-text', text).then(() => notify('Webhook URL copied.')),
      regenerateToken: () => void bridge.invoke('settings:regenerate-token').then((next) => store.update({ settings: next })),
      saveAuthtoken: async (authtoken) => {
        const checked = ngrokAuthtokenSchema.safeParse(authtoken);
        if (!checked.success) return checked.error.issues[0]?.message ?? 'not an ngrok authtoken';
        return (await bridge.invoke('tunnel:set-authtoken', checked.data)).message;
      },
      clearAuthtoken: async () => (await bridge.invoke('tunnel:clear-authtoken')).message,
      check: () => bridge.invoke('tunnel:check'),
    },
    {
      join: (joinCode) => bridge.invoke('team:join', joinCode),
      leave: async () => (await bridge.invoke('team:leave')).message,
    },
    {
      importContacts: () => bridge.invoke('contacts:import'),
      clearContacts: async () => (await bridge.invoke('contacts:clear')).message,
    },
    now,
  );
  const welcome = createWelcomeView(store, {
    copy: (text) => void bridge.invoke('app:copy-text', text).then(() => notify('Webhook URL copied.')),
    sendTestCall: () => void bridge.invoke('app:send-test-call').then(({ message }) => notify(message)),
    done: () => {
      void bridge.invoke('settings:update', { welcomed: true }).then((answer) => answer.ok && store.update({ settings: answer.settings }));
      open('calls');
    },
    joinTeam: () => {
      void bridge.invoke('settings:update', { welcomed: true }).then((answer) => answer.ok && store.update({ settings: answer.settings }));
      open('settings');
    },
  });
  const requestLog = createRequestLogView(store);
  const statusBar = createStatusBar(store, now);

  const callBackCount = h('span', { class: 'tab-count' });
  const tabs = (['calls', 'call-back', 'log', 'settings'] as const).map((view) =>
    h(
      'button',
      { type: 'button', role: 'tab', 'data-view': view, onClick: () => open(view) },
      { calls: 'Calls', 'call-back': 'Call back', log: 'Webhook log', settings: 'Settings' }[view],
      view === 'call-back' && callBackCount,
    ),
  );
  const views = { welcome, calls: callList, 'call-back': callBack, details, log: requestLog, settings };
  root.append(
    h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' }, ...tabs),
    ...Object.values(views).map((view) => view.element),
    statusBar.element,
  );

  store.subscribe(() => {
    const { view } = store.state;
    for (const [name, part] of Object.entries(views)) part.element.hidden = name !== view;
    for (const tab of tabs)
      tab.setAttribute('aria-selected', String(tab.dataset.view === (view === 'details' || view === 'welcome' ? 'calls' : view)));
    views[view].update();
    statusBar.update();
    const due = callsToCallBack(store.state.calls).length;
    callBackCount.textContent = due > 0 ? String(due) : '';
  });

  bridge.on('calls:changed', (change) => store.update({ calls: applyHistoryChange(store.state.calls, change) }));
  bridge.on('status:changed', (status) => store.update({ status }));
  bridge.on('settings:changed', (next) => store.update({ settings: next }));
  bridge.on('request-log:added', (entry) => store.update({ requestLog: [entry, ...store.state.requestLog].slice(0, 200) }));
  bridge.on('window:show', ({ view, callId }) => {
    if (view === 'check') {
      open('settings');
      void settings.runCheck();
    } else open(callId ? 'details' : view, callId);
  });

  const [calls, status, currentSettings, entries] = await Promise.all([
    bridge.invoke('calls:list'),
    bridge.invoke('status:get'),
    bridge.invoke('settings:get'),
    bridge.invoke('request-log:list'),
  ]);
  // The first run opens on the welcome; a push sent before this page listened would be lost.
  store.update({
    calls,
    status,
    settings: currentSettings,
    requestLog: entries,
    view: currentSettings.welcomed ? store.state.view : 'welcome',
  });
  setInterval(() => store.state.view === 'calls' && callList.tick(), 30_000);
}
