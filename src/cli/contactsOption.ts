import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../../package.json';
import type { ContactBook } from '../core/contacts/contactBook';
import type { Logger } from '../core/log/logger';
import { settingsSchema } from '../core/settings/settingsSchema';
import { describeFsError } from '../core/storage/fsErrors';
import { UsageError } from './usage';

/** The two options' help, its descriptions starting at `column` like the rest of the command's. */
export function contactsHelp(column: number): string {
  const option = (name: string, ...lines: string[]): string[] => {
    const [first = '', ...rest] = lines;
    const head = `  ${name}`;
    const start = head.length < column - 1 ? [`${head.padEnd(column)}${first}`] : [head, `${' '.repeat(column)}${first}`];
    return [...start, ...rest.map((line) => `${' '.repeat(column)}${line}`)];
  };
  return [
    ...option(
      '--contacts FILE',
      "names for callers' numbers, from a CSV (Name and Phone columns)",
      'or vCard file (read again whenever it changes)',
    ),
    ...option('--default-country CC', 'the country of numbers written without a country code', '(default IN)'),
  ].join('\n');
}

/** What was read from `--contacts`, kept in the data folder for the next start (see `openContactsCache`). */
const keptContactsFile = 'contacts-cache.json';

export const contactsOptions = { contacts: { type: 'string' }, 'default-country': { type: 'string' } } as const;

/** `--default-country`, or the usage error it is. */
function defaultCountryOf(country: string | undefined): string {
  const defaultCountry = settingsSchema.shape.defaultCountry.safeParse(country);
  if (!defaultCountry.success) throw new UsageError(`--default-country: ${defaultCountry.error.issues[0]?.message}`);
  return defaultCountry.data;
}

/**
 * The two options checked before the command opens anything (its history): a mistake in them
 * stops it at once, with the data folder untouched. What the file holds is read later.
 */
export function checkContactsOptions(file: string | undefined, country: string | undefined): void {
  defaultCountryOf(country);
  if (file === undefined) return;
  try {
    statSync(file);
  } catch (error) {
    throw new UsageError(`--contacts: cannot read ${file}: ${describeFsError(error)}`);
  }
}

/**
 * `--contacts FILE`: read at start (or taken from what `dataDir` kept of it, while it is
 * unchanged); what was left out is logged, an unreadable file stops the command. Without one,
 * nothing is loaded (the readers and the full phone metadata cost start-up time).
 */
export async function contactsFromOption(
  file: string | undefined,
  country: string | undefined,
  { dataDir, log }: { dataDir: string; log: Logger },
): Promise<ContactBook | undefined> {
  const defaultCountry = defaultCountryOf(country);
  if (!file) {
    // Kept only while it is named: an operator who drops the option drops the names with it.
    try {
      rmSync(join(dataDir, keptContactsFile), { force: true });
    } catch (error) {
      log.warn('contacts: the names kept from an earlier --contacts could not be removed', { error: describeFsError(error) });
    }
    return undefined;
  }
  const [
    { createContactBook },
    { ContactFileError, nothingReadReason },
    { describeImport, openContactsCache, readContactsFile, reportOf },
  ] = await Promise.all([
    import('../core/contacts/contactBook'),
    import('../core/contacts/contactFile'),
    import('../core/contacts/contactStore'),
  ]);
  const cache = openContactsCache(dataDir, log, { reader: version, name: keptContactsFile });
  try {
    const kept = cache.load(file, defaultCountry);
    if (kept) {
      log.info(`contacts: ${kept.length} contacts from ${file} (unchanged since it was last read)`);
      return createContactBook(kept, defaultCountry);
    }
    const stamp = cache.stampOf(file);
    const result = await readContactsFile(file, defaultCountry);
    // A nightly export that came out empty must not stop the team's notifications: callers show as numbers.
    if (result.contacts.length === 0) log.warn(`contacts: ${nothingReadReason(result)}; callers are shown by number`);
    else {
      log.info(`contacts: ${describeImport(reportOf(file, result))}`);
      cache.save(file, defaultCountry, result.contacts, stamp);
    }
    return createContactBook(result.contacts, defaultCountry);
  } catch (error) {
    if (!(error instanceof ContactFileError)) throw error;
    // A missing file is a mistake in the command; one that holds no contact is a bad export, as above.
    if (error.unreadable) throw new UsageError(`--contacts: ${error.message}`);
    log.warn(`contacts: ${error.message}; callers are shown by number`);
    return undefined;
  }
}
