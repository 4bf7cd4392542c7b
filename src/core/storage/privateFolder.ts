import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Whether this platform has POSIX file modes (Windows relies on the user profile's ACLs). */
const hasModes = process.platform !== 'win32';

/**
 * Makes a folder and the parents it lacks, one level at a time: Node 20's recursive mkdir never
 * returns where a level cannot be made (it loops on /proc, ignoring signals).
 */
function makeLevels(folder: string): void {
  const missing: string[] = [];
  for (let level = resolve(folder); !existsSync(level) && dirname(level) !== level; level = dirname(level)) missing.unshift(level);
  for (const level of missing) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * A data folder holds the webhook token and callers' numbers: made readable by this user only
 * (0700), its files 0600, tightening what earlier versions (or the user) left open. Throws
 * ENOTDIR when the path is a file.
 */
export function makePrivateFolder(folder: string): string {
  if (existsSync(folder) && !statSync(folder).isDirectory()) {
    throw Object.assign(new Error(`${folder} is a file, not a folder`), { code: 'ENOTDIR' });
  }
  makeLevels(folder);
  if (!hasModes) return folder;
  chmodSync(folder, 0o700);
  for (const name of readdirSync(folder)) {
    const file = join(folder, name);
    if (statSync(file).isFile()) chmodSync(file, 0o600);
  }
  return folder;
}
