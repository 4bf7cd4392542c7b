import type { CallNotification, Notifier } from '../../src/core/calls/callNotification';
import type { CallRecord } from '../../src/core/calls/callRecord';
import { openCallDatabase, type CallDatabase } from '../../src/core/history/callDatabase';
import { silentLogger } from '../../src/core/log/logger';
import type { LogDetails, Logger } from '../../src/core/log/logger';

export function recordingNotifier(): Notifier & { shown: CallNotification[] } {
  const shown: CallNotification[] = [];
  return { shown, notify: (notification) => void shown.push(notification) };
}

/** A call database in memory, holding these calls (oldest first). */
export function memoryDatabase(initial: CallRecord[] = []): CallDatabase {
  const database = openCallDatabase(undefined, silentLogger);
  database.write({ cleared: false, allRead: false, upserts: initial, removed: [], eventKeys: [] });
  return database;
}

export type LogLine = { level: keyof Logger; message: string; details?: LogDetails };

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (message: string, details?: LogDetails) => void lines.push({ level, message, details });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
