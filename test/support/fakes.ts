import type { CallNotification, Notifier } from '../../src/core/calls/callNotification';
import type { CallRecord } from '../../src/core/calls/callRecord';
import type { HistoryStore } from '../../src/core/history/callHistory';
import type { LogDetails, Logger } from '../../src/core/log/logger';

export function recordingNotifier(): Notifier & { shown: CallNotification[] } {
  const shown: CallNotification[] = [];
  return { shown, notify: (notification) => void shown.push(notification) };
}

export function memoryStore(initial: CallRecord[] = []): HistoryStore & { saves: CallRecord[][] } {
  const saves: CallRecord[][] = [];
  return {
    saves,
    load: () => initial,
    save: (calls) => void saves.push([...calls]),
  };
}

export type LogLine = { level: keyof Logger; message: string; details?: LogDetails };

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (message: string, details?: LogDetails) => void lines.push({ level, message, details });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
