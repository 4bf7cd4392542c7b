import { writeFile } from 'node:fs/promises';
import { crmUrlFor } from '../core/app/externalLinks';
import type { CallHost } from '../core/host/callHost';
import type { SettingsStore } from '../core/settings/settingsStore';
import type { ElectronDeps } from './electronDeps';
import type { InvokeHandlers } from './ipc';
import type { TrayWindow } from './trayWindow';

type CallChannel =
  'calls:list' | 'calls:mark-read' | 'calls:mark-all-read' | 'calls:mark-called-back' | 'calls:clear' | 'calls:open-crm' | 'calls:save-csv';

export interface CallHandlersOptions {
  host: Pick<CallHost, 'history' | 'markCalledBack'>;
  settings: SettingsStore;
  electron: Pick<ElectronDeps, 'shell' | 'dialog'>;
  trayWindow: Pick<TrayWindow, 'withDialog'>;
  now: () => number;
}

/** The call list's actions: the window reads and marks the history; files are chosen in main's dialog. */
export function callHandlers({ host, settings, electron, trayWindow, now }: CallHandlersOptions): Pick<InvokeHandlers, CallChannel> {
  const { history } = host;
  return {
    'calls:list': () => history.list(),
    'calls:mark-read': (ids) => history.markRead(ids),
    'calls:mark-all-read': () => history.markAllRead(),
    'calls:mark-called-back': (ids) => host.markCalledBack(ids),
    'calls:clear': () => history.clear(),
    'calls:open-crm': async (callId) => {
      const call = history.get(callId);
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
  };
}
