import { homedir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import type { CallDatabase } from '../core/history/callDatabase';
import { openHistoryDatabase } from '../core/history/historyFolder';
import type { Logger } from '../core/log/logger';
import { generateWebhookToken, webhookTokenSchema } from '../core/receiver/webhookToken';
import { keepAside } from '../core/storage/keptAside';
import { makePrivateFolder } from '../core/storage/privateFolder';
import { EnvironmentError } from './usage';

export const defaultDataDir = join(homedir(), '.telecmi-notifier');

/** The data folder, made if missing, readable by this user only (see `makePrivateFolder`). */
export function privateDataDir(dataDir: string): string {
  try {
    return makePrivateFolder(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new EnvironmentError(`the data folder ${dataDir} is a file, not a folder: choose another --data-dir`);
    throw new EnvironmentError(`cannot use the data folder ${dataDir}: ${describeFsError(error)}`);
  }
}

/** The history of the folder (`calls.db`), or one clear line why it cannot be kept there. */
export function openHistory(dataDir: string, log: Logger): CallDatabase {
  try {
    return openHistoryDatabase(dataDir, log);
  } catch (error) {
    throw new EnvironmentError(`cannot keep the call history in ${dataDir}: ${describeFsError(error)}`);
  }
}

/** "permission denied" instead of "EACCES: permission denied, mkdir '/x'". */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'it is on a read-only file system',
    ENOTDIR: 'part of its path is a file, not a folder',
    ENOSPC: 'the disk is full',
    EISDIR: 'a folder stands where a file should be',
  };
  return (code && known[code]) ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The webhook token is made once per data folder, so the URL given to TeleCMI keeps working.
 * A settings file that does not parse is kept aside; a saved token that is not valid is replaced,
 * with a warning: the webhook URL changes and TeleCMI must be given the new one.
 */
export function savedToken(dataDir: string, log: Logger): string {
  const settingsPath = join(dataDir, 'settings.json');
  const open = () => new Conf<{ token?: string }>({ cwd: dataDir, configName: 'settings', clearInvalidConfig: false, configFileMode: 0o600 });
  try {
    let settings: Conf<{ token?: string }>;
    try {
      settings = open();
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      keepAside(settingsPath, 'move', error.message, log);
      settings = open();
    }
    const stored = settings.get('token');
    const saved = webhookTokenSchema.safeParse(stored);
    if (saved.success) return saved.data;
    const token = generateWebhookToken();
    if (stored !== undefined) {
      keepAside(settingsPath, 'copy', 'the saved webhook token is not valid', log);
      log.warn('the saved webhook token was not valid and is replaced: give TeleCMI the new webhook URL', { file: settingsPath });
    }
    settings.set('token', token);
    return token;
  } catch (error) {
    throw new EnvironmentError(`cannot keep the webhook token in ${settingsPath}: ${describeFsError(error)} (or pass one with --token-env)`);
  }
}
