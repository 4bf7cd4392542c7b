import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CallDatabase } from '../core/history/callDatabase';
import { beginOpeningFolderHistory, type FolderHistoryOpening } from '../core/history/worker/workerDatabase';
import type { Logger } from '../core/log/logger';
import { generateWebhookToken, webhookTokenSchema } from '../core/receiver/webhookToken';
import { writeFileAtomic } from '../core/storage/atomicFile';
import { describeFsError } from '../core/storage/fsErrors';
import { keepAside } from '../core/storage/keptAside';
import { makePrivateFolder } from '../core/storage/privateFolder';
import { EnvironmentError } from './usage';
import { errorMessage } from '../core/log/errorMessage';

export const defaultDataDir = join(homedir(), '.telecmi-notifier');

/** The data folder, made if missing, readable by this user only (see `makePrivateFolder`). */
export function privateDataDir(dataDir: string): string {
  try {
    return makePrivateFolder(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new EnvironmentError(`the data folder ${dataDir} is a file, not a folder: choose another --data-dir`);
    throw new EnvironmentError(`cannot use the data folder ${dataDir}: ${describeFsError(error)}; choose another --data-dir`);
  }
}

/**
 * Starts opening the folder's history (`calls.db`) in its own thread, so the command loads the rest
 * meanwhile: `opened` waits for it, or says in one clear line why it cannot be kept there;
 * `abandon` closes it when the command fails before using it (its lock must not outlive the run).
 */
export function beginOpeningHistory(dataDir: string, log: Logger): FolderHistoryOpening {
  const opening = beginOpeningFolderHistory(dataDir, log);
  return {
    opened(): CallDatabase {
      try {
        return opening.opened();
      } catch (error) {
        throw new EnvironmentError(`cannot keep the call history in ${dataDir}: ${describeFsError(error)}`);
      }
    },
    abandon: opening.abandon,
  };
}

/**
 * The data folder's settings file: a JSON object of a few values. One that does not parse, or is
 * not an object, is kept aside and made anew. (Plain JSON rather than conf: conf's schema
 * validator, which nothing here uses, was an eighth of every start-up.)
 */
function readSettings(file: string, log: Logger): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const settings: unknown = JSON.parse(text);
    if (settings !== null && typeof settings === 'object' && !Array.isArray(settings)) return settings as Record<string, unknown>;
    throw new SyntaxError('not a JSON object');
  } catch (error) {
    keepAside(file, 'move', errorMessage(error), log);
    return {};
  }
}

/**
 * A value made once per data folder and kept in its settings.json (the webhook token, so the URL
 * given to TeleCMI keeps working; `listen`'s client id, so the broker keeps its queue). A saved
 * value that is not valid is replaced, with a warning and a copy of the file kept aside.
 */
function savedSetting(
  dataDir: string,
  log: Logger,
  key: string,
  {
    valid,
    make,
    what,
    whenReplaced = '',
    whenUnwritable = '',
  }: { valid: (value: unknown) => value is string; make: () => string; what: string; whenReplaced?: string; whenUnwritable?: string },
): string {
  const settingsPath = join(dataDir, 'settings.json');
  try {
    const settings = readSettings(settingsPath, log);
    const stored = settings[key];
    if (valid(stored)) return stored;
    if (stored !== undefined) {
      keepAside(settingsPath, 'copy', `the saved ${what} is not valid`, log);
      log.warn(`the saved ${what} was not valid and is replaced${whenReplaced}`, { file: settingsPath });
    }
    const made = make();
    writeFileAtomic(settingsPath, JSON.stringify({ ...settings, [key]: made }, null, '\t'));
    return made;
  } catch (error) {
    throw new EnvironmentError(`cannot keep the ${what} in ${settingsPath}: ${describeFsError(error)}${whenUnwritable}`);
  }
}

export function savedToken(dataDir: string, log: Logger): string {
  return savedSetting(dataDir, log, 'token', {
    valid: (value): value is string => webhookTokenSchema.safeParse(value).success,
    make: generateWebhookToken,
    what: 'webhook token',
    whenReplaced: ': give TeleCMI the new webhook URL',
    whenUnwritable: ' (or pass one with --token-env)',
  });
}
