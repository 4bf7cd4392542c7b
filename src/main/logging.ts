import { dirname } from 'node:path';
import log from 'electron-log/main';
import type { Logger } from '../core/log/logger';

/** Levelled logs in the app's log folder, rotated at 1 MB (one `.old.log` kept). */
export function setUpLogging(): { log: Logger; folder: string } {
  log.transports.file.level = 'info';
  log.transports.file.maxSize = 1024 * 1024;
  log.transports.console.level = process.env.NODE_ENV === 'development' ? 'debug' : 'warn';
  log.errorHandler.startCatching({ showDialog: false });
  return { log, folder: dirname(log.transports.file.getFile().path) };
}
