import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log/logger';
import { writeFileAtomic } from '../storage/atomicFile';
import { describeFsError } from '../storage/fsErrors';
import { keepAside } from '../storage/keptAside';
import { contactSchema, type Contact } from './contactBook';
import { ContactFileError, contactFormatOf, decodeText, readContacts, type ContactImport } from './contactFile';
import type { ImportReport } from './contactSchemas';
import { errorMessage } from '../log/errorMessage';

/** Larger than any contact export a call centre has (100,000 contacts is about 10 MB). */
const maxFileBytes = 100 * 1024 * 1024;

const reportedSkips = 50;

export function reportOf(source: string, result: ContactImport): ImportReport {
  return {
    source,
    read: result.read,
    imported: result.contacts.length,
    skipped: result.skipped.slice(0, reportedSkips),
    skippedCount: result.skipped.length,
  };
}

/** One line for a log or a terminal: `412 contacts from crm.csv (415 rows; 3 skipped: row 4 no name, …)`. */
export function describeImport(report: ImportReport): string {
  const skips = report.skipped.slice(0, 3).map((skip) => `${skip.where} ${skip.reason}`);
  const more = report.skippedCount > skips.length ? ', …' : '';
  const skipped = report.skippedCount > 0 ? `; ${report.skippedCount} skipped: ${skips.join(', ')}${more}` : '';
  return `${report.imported} contacts from ${report.source} (${report.read} read${skipped})`;
}

/** Reads a CSV or vCard file of contacts. Throws `ContactFileError` with one clear message. */
export async function readContactsFile(filePath: string, defaultCountry: string): Promise<ContactImport> {
  let text: string;
  try {
    if (statSync(filePath).size > maxFileBytes)
      throw new ContactFileError(`${filePath} is larger than ${maxFileBytes / 1024 / 1024} MB: not a contact list`, true);
    text = decodeText(readFileSync(filePath));
  } catch (error) {
    if (error instanceof ContactFileError) throw error;
    throw new ContactFileError(`cannot read ${filePath}: ${describeFsError(error)}`, true);
  }
  return readContacts(text, contactFormatOf(filePath, text), defaultCountry);
}

export const savedContactsSchema = z.object({
  v: z.literal(1),
  source: z.string(),
  importedAt: z.number(),
  /** The country the numbers were read under (absent in the first files: India, the first default). */
  defaultCountry: z.string().default('IN'),
  contacts: z.array(contactSchema),
  /** The file as it was when read, and the version that read it (`--contacts`, see `openContactsCache`). */
  // One of another shape (an earlier version's) only means the file is read again.
  stamp: z.object({ size: z.number(), mtimeMs: z.number(), ino: z.number(), reader: z.string() }).optional().catch(undefined),
});
export type SavedContacts = z.infer<typeof savedContactsSchema>;

/**
 * The app's imported contacts, in the data folder (`contacts.json`, readable by this user only):
 * replaced by each import, removed by "clear". A file that does not read is kept aside.
 */
export function openContactStore(
  dataDir: string,
  log: Logger,
  { name = 'contacts.json', whenUnreadable = 'callers are shown by number' }: { name?: string; whenUnreadable?: string } = {},
) {
  const file = join(dataDir, name);
  return {
    load(): SavedContacts | undefined {
      if (!existsSync(file)) return undefined;
      try {
        return savedContactsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      } catch (error) {
        const reason = errorMessage(error);
        try {
          keepAside(file, 'move', reason, log);
        } catch {
          log.error(`the contacts file cannot be read; ${whenUnreadable}`, { file, error: reason });
        }
        return undefined;
      }
    },
    save(saved: SavedContacts): void {
      writeFileAtomic(file, JSON.stringify(saved));
    },
    clear(): void {
      rmSync(file, { force: true });
    },
  };
}

/**
 * A `--contacts FILE` as this data folder last read it, while the file is unchanged (same path,
 * size, modification time and inode: a copy that kept the modification time is a new file; not
 * the status change time, which the data folder's own permission check moves), read by the same version (`reader`: its parser and phone metadata) under the same default
 * country: 100,000 contacts load in ~0.3 s instead of being parsed again (~4 s), and leave the
 * collector far less garbage to sweep during the first requests.
 */
export function openContactsCache(dataDir: string, log: Logger, { reader, name }: { reader: string; name: string }) {
  const store = openContactStore(dataDir, log, { name, whenUnreadable: 'the contacts are read from their file again' });
  /** Undefined for what is not a plain file that can be looked at: reading it says why. */
  const stampOf = (file: string): SavedContacts['stamp'] => {
    try {
      const status = statSync(file);
      const { size, mtimeMs, ino } = status;
      return status.isFile() ? { size, mtimeMs, ino, reader } : undefined;
    } catch {
      return undefined;
    }
  };
  const same = (a: SavedContacts['stamp'], b: NonNullable<SavedContacts['stamp']>): boolean =>
    a !== undefined && (Object.keys(b) as Array<keyof typeof b>).every((key) => a[key] === b[key]);
  return {
    stampOf,
    /** The contacts read earlier from `file`, or undefined when it changed since (or was never read). */
    load(file: string, defaultCountry: string): Contact[] | undefined {
      const stamp = stampOf(file);
      const saved = stamp ? store.load() : undefined;
      if (!stamp || saved?.source !== resolve(file) || saved.defaultCountry !== defaultCountry) return undefined;
      return same(saved.stamp, stamp) ? saved.contacts : undefined;
    },
    /** Best effort: without it, the next start reads the file again. */
    save(file: string, defaultCountry: string, contacts: Contact[], stamp: SavedContacts['stamp']): void {
      try {
        store.save({ v: 1, source: resolve(file), importedAt: Date.now(), defaultCountry, contacts, stamp });
      } catch (error) {
        log.warn('contacts: could not keep what was read for the next start', { error: describeFsError(error) });
      }
    },
  };
}
