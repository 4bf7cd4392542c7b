import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Contact } from './contactBook';
import { ContactFileError } from './contactEntry';
import { toE164 } from './contactNumbers';
import { csvEntries } from './csvContacts';
import { vCardEntries } from './vCardContacts';

export { ContactFileError };

/** A row (or card) left out of an import, and why: shown to the user after each import. */
export interface SkippedEntry {
  /** `row 14` or `card 3`. */
  where: string;
  reason: string;
}

export interface ContactImport {
  contacts: Contact[];
  /** Rows or cards read, the header aside. */
  read: number;
  skipped: SkippedEntry[];
}

export type ContactFormat = 'csv' | 'vcard';

/** vCard by its extension or its first line; anything else is read as CSV. */
export function contactFormatOf(fileName: string, text: string): ContactFormat {
  return /\.(vcf|vcard)$/i.test(fileName) || /^\s*BEGIN:VCARD/i.test(text) ? 'vcard' : 'csv';
}

/**
 * A file's bytes as text: UTF-16 by its byte-order mark ("Unicode text" from Excel), UTF-8, and
 * otherwise Windows-1252, what Excel and Outlook save as "CSV" on Windows.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Entries normalised per turn of the event loop: an import of 100,000 never holds up a ringing call for long. */
const entriesPerTurn = 2000;

/**
 * The contacts of a CSV or vCard text, each number in E.164. Rows without a name or a usable
 * number are left out and reported.
 */
export async function readContacts(text: string, format: ContactFormat, defaultCountry: string): Promise<ContactImport> {
  const found = format === 'vcard' ? vCardEntries(text) : csvEntries(text);
  const contacts: Contact[] = [];
  const skipped: SkippedEntry[] = [];
  for (const [index, { where, name, phones, unreadable }] of found.entries()) {
    if (index > 0 && index % entriesPerTurn === 0) await nextTurn();
    const reason = unreadable ? `not readable: ${unreadable}` : problemWith(name, phones);
    if (reason) {
      skipped.push({ where, reason });
      continue;
    }
    const numbers = phones.flatMap((cell) => numbersIn(cell, defaultCountry)).map((raw) => ({ raw, e164: toE164(raw, defaultCountry) }));
    if (numbers.some((number) => number.e164)) contacts.push({ name, numbers });
    else skipped.push({ where, reason: `${phones.map((phone) => `"${phone}"`).join(', ')} is not a phone number` });
  }
  return { contacts, read: found.length, skipped };
}

/**
 * One cell, several numbers (`98765 43210 / 98765 43211`): split at `/`, `,`, `;` or `|` only
 * when the cell does not read as one number (`+49 6151/123456` does) and every part does.
 */
function numbersIn(cell: string, defaultCountry: string): string[] {
  if (toE164(cell, defaultCountry)) return [cell];
  const parts = cell.split(/\s*[/,;|]\s*/).filter(Boolean);
  return parts.length > 1 && parts.every((part) => toE164(part, defaultCountry)) ? parts : [cell];
}

/** Why an import that read no contact changes nothing: the first reasons. */
export function nothingReadReason(result: ContactImport): string {
  const first = result.skipped
    .slice(0, 3)
    .map((skip) => `${skip.where}: ${skip.reason}`)
    .join('; ');
  return `no contact could be read${first ? ` (${first})` : ''}`;
}

function problemWith(name: string, phones: string[]): string | undefined {
  if (!name) return 'no name';
  if (phones.length === 0) return 'no phone number';
  return undefined;
}
