import { homedir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { openHistoryFile } from '../core/history/historyFile';
import type { HistoryStore } from '../core/history/callHistory';
import type { Logger } from '../core/log/logger';
import { generateWebhookToken, webhookTokenSchema } from '../core/receiver/webhookToken';

export const defaultDataDir = join(homedir(), '.telecmi-notifier');

/** The same conf file layout the app keeps through electron-store: `calls.json` in the folder. */
export function openHistory(dataDir: string, log: Logger): HistoryStore {
  return openHistoryFile({
    filePath: join(dataDir, 'calls.json'),
    open: () => new Conf({ cwd: dataDir, configName: 'calls', clearInvalidConfig: false, serialize: JSON.stringify }),
    log,
  });
}

/** The webhook token is made once per data folder, so the URL given to TeleCMI keeps working. */
export function savedToken(dataDir: string): string {
  const settings = new Conf<{ token?: string }>({ cwd: dataDir, configName: 'settings', clearInvalidConfig: false });
  const saved = webhookTokenSchema.safeParse(settings.get('token'));
  if (saved.success) return saved.data;
  const token = generateWebhookToken();
  settings.set('token', token);
  return token;
}
