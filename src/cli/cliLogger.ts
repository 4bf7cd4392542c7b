import log from 'electron-log/node';
import type { Logger } from '../core/log/logger';

export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Logs go to stderr, so stdout stays one JSON line per notification. */
export function createCliLogger(level: LogLevel): Logger {
  log.transports.file.level = false;
  log.transports.console.level = level;
  log.transports.console.writeFn = ({ message }) => {
    console.error(...message.data);
  };
  return log;
}
