import type { AppStatus } from '../core/app/appStatus';
import type { RequestLog } from '../core/receiver/requestLog';
import { generateWebhookToken } from '../core/receiver/webhookToken';
import type { SettingsStore } from '../core/settings/settingsStore';
import type { ElectronDeps } from './electronDeps';
import type { InvokeHandlers } from './ipc';

type AppChannel =
  | 'settings:get'
  | 'settings:update'
  | 'settings:regenerate-token'
  | 'status:get'
  | 'request-log:list'
  | 'app:send-test-call'
  | 'app:copy-text';

export interface AppHandlersOptions {
  settings: SettingsStore;
  status: () => AppStatus;
  requestLog: RequestLog;
  sendTestCall: () => Promise<{ ok: boolean; message: string }>;
  clipboard: ElectronDeps['clipboard'];
}

/** Settings, the status, the webhook log, the test call and the clipboard, for the window. */
export function appHandlers({
  settings,
  status,
  requestLog,
  sendTestCall,
  clipboard,
}: AppHandlersOptions): Pick<InvokeHandlers, AppChannel> {
  return {
    'settings:get': () => settings.get(),
    'settings:update': (changes) => settings.update({ ...settings.get(), ...changes }),
    'settings:regenerate-token': () => settings.patch({ token: generateWebhookToken() }),
    'status:get': () => status(),
    'request-log:list': () => requestLog.entries(),
    'app:send-test-call': () => sendTestCall(),
    'app:copy-text': (text) => clipboard.writeText(text),
  };
}
