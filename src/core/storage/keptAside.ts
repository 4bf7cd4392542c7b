import { copyFileSync, existsSync, renameSync } from 'node:fs';
import type { Logger } from '../log/logger';
import { errorMessage } from '../log/errorMessage';

/**
 * Keeps a file that could not be read beside the original (`<name>.corrupt-<time>`), for
 * support, and reports where: a damaged file is never fatal and never silently lost.
 */
export function keepAside(filePath: string, how: 'move' | 'copy', reason: string, log: Logger, now = new Date()): void {
  if (!existsSync(filePath)) return;
  const aside = freePath(`${filePath}.corrupt-${fileTime(now)}`);
  (how === 'move' ? renameSync : copyFileSync)(filePath, aside);
  log.warn('a file could not be read fully; a copy was kept', { file: filePath, reason, keptAt: aside });
}

/** Opens a conf / electron-store file; one that does not parse is moved aside and opened anew. */
export function openOrStartOver<T>(filePath: string, open: () => T, check: (file: T) => unknown, log: Logger, now?: () => Date): T {
  try {
    const file = open();
    check(file);
    return file;
  } catch (error) {
    keepAside(filePath, 'move', errorMessage(error), log, now?.());
    return open();
  }
}

/** A time that can be part of a file name on every platform. */
export const fileTime = (time: Date): string => time.toISOString().replace(/[:.]/g, '-');

/** `base` + `suffix`, or with `-2`, `-3`… before the suffix when that file exists (two copies in one millisecond). */
export function freePath(base: string, suffix = ''): string {
  let path = `${base}${suffix}`;
  for (let n = 2; existsSync(path); n += 1) path = `${base}-${n}${suffix}`;
  return path;
}
