import { renameSync, writeFileSync } from 'node:fs';

/** Written beside, flushed and renamed over: a crash mid-write never leaves half a file. Readable by this user only. */
export function writeFileAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text, { mode: 0o600, flush: true });
  renameSync(`${file}.tmp`, file);
}
