import { setImmediate as nextTurn } from 'node:timers/promises';
import { basename } from 'node:path';
import type { Logger } from '../log/logger';
import type { PhoneNumber } from '../phone/phoneNumberSchema';
import { createContactBook, withDefaultCountry, type Contact } from './contactBook';
import { ContactFileError, nothingReadReason } from './contactFile';
import type { ContactsSummary, ImportReport } from './contactSchemas';
import { describeImport, openContactStore, readContactsFile, reportOf, type SavedContacts } from './contactStore';

/** Contacts read again under a new default country this many at a time, between turns of the event loop. */
const renormaliseChunk = 5000;

/**
 * The app's contacts: loaded from the data folder at start, replaced by an import, cleared, and
 * read again when the default country changes. Lookups always see one whole contact book.
 */
export function createContactLibrary({ dataDir, defaultCountry, log }: { dataDir: string; defaultCountry: string; log: Logger }) {
  const store = openContactStore(dataDir, log);
  let saved: SavedContacts | undefined = store.load();
  /** The country the settings ask for: every import and every reading uses it. */
  let country = defaultCountry;
  let book = createContactBook(saved?.contacts ?? [], saved?.defaultCountry ?? country);
  /** Bumped by each import, clear and country change: a slower reading that started earlier is dropped. */
  let version = 0;
  let clears = 0;

  function keep(next: SavedContacts): void {
    saved = next;
    store.save(next);
    book = createContactBook(next.contacts, next.defaultCountry);
  }

  /** The saved contacts read under `country`, a chunk per turn of the event loop. */
  async function readAgain(): Promise<void> {
    const mine = ++version;
    const source = saved;
    if (!source || source.defaultCountry === country) return void (book = createContactBook(source?.contacts ?? [], country));
    const contacts: Contact[] = [];
    for (let start = 0; start < source.contacts.length; start += renormaliseChunk) {
      contacts.push(...withDefaultCountry(source.contacts.slice(start, start + renormaliseChunk), country));
      await nextTurn();
    }
    if (mine !== version) return;
    keep({ ...source, defaultCountry: country, contacts });
    log.info('contacts read again for the new default country', { country, contacts: contacts.length });
  }

  return {
    namesFor: (phone: PhoneNumber | undefined): readonly string[] => book.namesFor(phone),

    summary: (): ContactsSummary => (saved ? { count: saved.contacts.length, source: saved.source, importedAt: saved.importedAt } : null),

    /** Replaces the contacts with those of a CSV or vCard file. Throws `ContactFileError`; nothing changes then. */
    async import(filePath: string, now = Date.now()): Promise<ImportReport> {
      const readUnder = country;
      const clearsBefore = clears;
      const result = await readContactsFile(filePath, readUnder);
      if (result.contacts.length === 0) throw new ContactFileError(`${nothingReadReason(result)}: nothing was changed`);
      // Cleared while the file was read: the clear was asked for last.
      if (clears !== clearsBefore) throw new ContactFileError('the contacts were cleared while the file was read: nothing was imported');
      version += 1;
      // The country changed while the file was read: its numbers are read again under the new one.
      const contacts = readUnder === country ? result.contacts : withDefaultCountry(result.contacts, country);
      keep({ v: 1, source: basename(filePath), importedAt: now, defaultCountry: country, contacts });
      const report = reportOf(basename(filePath), result);
      log.info(`contacts imported: ${describeImport(report)}`);
      return report;
    },

    clear(): void {
      version += 1;
      clears += 1;
      store.clear();
      saved = undefined;
      book = createContactBook([], country);
    },

    /** Numbers written without a country code change meaning: the contacts are read again. */
    setDefaultCountry(next: string): Promise<void> {
      country = next;
      return readAgain();
    },

    /** Contacts saved under another country than the settings' (settings reset, an older file): read again. */
    start: (): Promise<void> => readAgain(),
  };
}

export type ContactLibrary = ReturnType<typeof createContactLibrary>;
