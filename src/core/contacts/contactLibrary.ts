import { setImmediate as nextTurn } from 'node:timers/promises';
import { basename } from 'node:path';
import type { Logger } from '../log/logger';
import type { PhoneNumber } from '../phone/phoneNumberSchema';
import { createContactBook, withDefaultCountry, type Contact } from './contactBook';
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
  let book = createContactBook(saved?.contacts ?? [], defaultCountry);

  async function renormalise(country: string): Promise<void> {
    if (!saved) return void (book = createContactBook([], country));
    const source = saved;
    const contacts: Contact[] = [];
    for (let start = 0; start < source.contacts.length; start += renormaliseChunk) {
      contacts.push(...withDefaultCountry(source.contacts.slice(start, start + renormaliseChunk), country));
      await nextTurn();
    }
    // An import or a clear meanwhile wins.
    if (saved !== source) return;
    saved = { ...source, contacts };
    store.save(source.source, contacts, source.importedAt);
    book = createContactBook(contacts, country);
    log.info('contacts read again for the new default country', { country, contacts: contacts.length });
  }

  return {
    namesFor: (phone: PhoneNumber | undefined): readonly string[] => book.namesFor(phone),

    summary: (): ContactsSummary => (saved ? { count: saved.contacts.length, source: saved.source, importedAt: saved.importedAt } : null),

    /** Replaces the contacts with those of a CSV or vCard file. Throws `ContactFileError`; nothing changes then. */
    import(filePath: string, now = Date.now()): ImportReport {
      const result = readContactsFile(filePath, book.defaultCountry);
      const report = reportOf(basename(filePath), result);
      saved = store.save(filePath, result.contacts, now);
      book = createContactBook(result.contacts, book.defaultCountry);
      log.info(`contacts imported: ${describeImport(report)}`);
      return report;
    },

    clear(): void {
      store.clear();
      saved = undefined;
      book = createContactBook([], book.defaultCountry);
    },

    /** Numbers written without a country code change meaning: the contacts are read again. */
    setDefaultCountry(country: string): Promise<void> {
      if (country === book.defaultCountry) return Promise.resolve();
      return renormalise(country);
    },
  };
}

export type ContactLibrary = ReturnType<typeof createContactLibrary>;
