import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Whether this platform has POSIX file modes (Windows relies on the user profile's ACLs). */
const hasModes = process.platform !== 'win32';

/**
 * A data folder holds the webhook token and callers' numbers: made readable by this user only
 * (0700), its files 0600, tightening what earlier versions (or the user) left open. Throws
 * ENOTDIR when the path is a file.
 */
export function makePrivateFolder(folder: string): string {
  if (existsSync(folder) && !statSync(folder).isDirectory()) {
    throw Object.assign(new Error(`${folder} is a file, not a folder`), { code: 'ENOTDIR' });
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (!hasModes) return folder;
  chmodSync(folder, 0o700);
  for (const name of readdirSync(folder)) {
    const file = join(folder, name);
    if (statSync(file).isFile()) chmodSync(file, 0o600);
  }
  return folder;
}
