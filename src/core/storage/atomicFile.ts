import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Written beside, flushed and renamed over: a crash mid-write never leaves half a file. Readable
 * by this user only. Each write has a name of its own beside the file, so two processes writing
 * at once never mix their bytes (the last rename wins whole).
 */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  const beside = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(beside, text, { mode, flush: true });
    renameSync(beside, file);
  } catch (error) {
    rmSync(beside, { force: true });
    throw error;
  }
}
