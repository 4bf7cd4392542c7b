import { parse as parseCsv } from 'csv-parse/sync';
import vCard from 'vcf';
import type { Contact } from './contactBook';
import { toE164 } from './contactNumbers';

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

/** A file that cannot be a contact list at all: one message that says what to do. */
export class ContactFileError extends Error {}

export type ContactFormat = 'csv' | 'vcard';

/** vCard by its extension or its first line; anything else is read as CSV. */
export function contactFormatOf(fileName: string, text: string): ContactFormat {
  return /\.(vcf|vcard)$/i.test(fileName) || /^\s*BEGIN:VCARD/i.test(text) ? 'vcard' : 'csv';
}

export function readContacts(text: string, format: ContactFormat, defaultCountry: string): ContactImport {
  const found = format === 'vcard' ? vCardEntries(text) : csvEntries(text);
  const contacts: Contact[] = [];
  const skipped: SkippedEntry[] = [];
  for (const { where, name, phones, unreadable } of found) {
    const reason = unreadable ? `not readable: ${unreadable}` : problemWith(name, phones);
    if (reason) {
      skipped.push({ where, reason });
      continue;
    }
    const numbers = phones.flatMap((raw) => {
      const e164 = toE164(raw, defaultCountry);
      return e164 ? [{ raw, e164 }] : [];
    });
    if (numbers.length === 0) skipped.push({ where, reason: `${phones.map((phone) => `"${phone}"`).join(', ')} is not a phone number` });
    else contacts.push({ name, numbers });
  }
  return { contacts, read: found.length, skipped };
}

function problemWith(name: string, phones: string[]): string | undefined {
  if (!name) return 'no name';
  if (phones.length === 0) return 'no phone number';
  return undefined;
}

interface Entry {
  where: string;
  name: string;
  phones: string[];
  /** Why the parser could not read it at all. */
  unreadable?: string;
}

const squeeze = (text: string): string => text.replace(/\s+/g, ' ').trim();

// ---- CSV: columns found by their headers, as CRMs, phones and spreadsheets name them.

/** Header names reduced to letters and digits: `Phone 1 - Value` becomes `phone1value`. */
const headerKey = (header: string): string => header.toLowerCase().replace(/[^a-z0-9]/g, '');

const fullNameHeaders = new Set(['name', 'fullname', 'displayname', 'contactname', 'contact', 'customername', 'customer', 'leadname', 'accountname', 'clientname', 'callername']);
const nameParts = [
  ['firstname', 'givenname', 'first', 'forename'],
  ['middlename', 'additionalname', 'middle'],
  ['lastname', 'familyname', 'surname', 'last'],
];
const phoneWords = /phone|mobile|tel|cell|whatsapp|msisdn|contactno|^number$/;
/** `Phone 1 - Type`, `Phone Label`, `Phone Ext`: about a phone, not one. */
const notAPhone = /type|label|extension|^ext|ext$/;

interface Columns {
  fullName?: number;
  parts: number[];
  phones: number[];
}

function findColumns(headers: string[]): Columns {
  const keys = headers.map(headerKey);
  const fullName = keys.findIndex((key) => fullNameHeaders.has(key));
  const parts = nameParts.map((names) => keys.findIndex((key) => names.includes(key))).filter((index) => index >= 0);
  const phones = keys.flatMap((key, index) => (phoneWords.test(key) && !notAPhone.test(key) ? [index] : []));
  if (phones.length === 0) {
    throw new ContactFileError(`no phone column among "${headers.join('", "')}": name one Phone, Mobile or Number`);
  }
  if (fullName < 0 && parts.length === 0) {
    throw new ContactFileError(`no name column among "${headers.join('", "')}": name one Name, or First Name and Last Name`);
  }
  return { fullName: fullName >= 0 ? fullName : undefined, parts, phones };
}

/** Spreadsheets in many locales save with `;` or tabs: the header line's commonest separator. */
function delimiterOf(text: string): string {
  const end = text.indexOf('\n');
  const header = end === -1 ? text : text.slice(0, end);
  const counts = [',', ';', '\t'].map((candidate) => [candidate, header.split(candidate).length] as const);
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

function csvEntries(text: string): Entry[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // With `info`, each record comes with where it was read; the typings do not follow the option.
    rows = parseCsv(text, { bom: true, delimiter: delimiterOf(text), info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof rows;
  } catch (error) {
    throw new ContactFileError(`not a readable CSV file: ${(error as Error).message}`);
  }
  const [header, ...records] = rows;
  if (!header) throw new ContactFileError('the file is empty');
  const columns = findColumns(header.record);
  return records.map(({ record, info }) => {
    const cell = (index: number): string => squeeze(record[index] ?? '');
    const name = columns.fullName !== undefined && cell(columns.fullName) ? cell(columns.fullName) : squeeze(columns.parts.map(cell).join(' '));
    // Google Contacts puts several numbers in one cell, separated by " ::: ".
    const phones = columns.phones.flatMap((index) => cell(index).split(/\s*:::\s*/)).filter(Boolean);
    return { where: `row ${info.lines}`, name, phones };
  });
}

// ---- vCard (2.1, 3.0 and 4.0), read by `vcf` as jCard (RFC 7095): [name, params, type, value].

type JCardProperty = [string, Record<string, unknown>, string, unknown];

/** A property's text; vCard 2.1 (old phones' exports) writes non-ASCII names in quoted-printable. */
function textOf([, params, , value]: JCardProperty, part?: number): string {
  const values = Array.isArray(value) ? value.map(String) : String(value ?? '').split(';');
  const text = part === undefined ? values.join(' ') : (values[part] ?? '');
  if (String(params.encoding ?? '').toUpperCase() !== 'QUOTED-PRINTABLE') return text;
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Each card on its own: one that `vcf` cannot read is left out and reported, never the whole file. */
function vCardEntries(text: string): Entry[] {
  const chunks = text.split(/(?=BEGIN:VCARD)/i).filter((chunk) => /^BEGIN:VCARD/i.test(chunk));
  if (chunks.length === 0) throw new ContactFileError('no vCard in the file (BEGIN:VCARD … END:VCARD)');
  return chunks.map((chunk, index) => {
    const where = `card ${index + 1}`;
    try {
      return { where, ...cardEntry(new vCard().parse(chunk)) };
    } catch (error) {
      return { where, name: '', phones: [], unreadable: error instanceof Error ? error.message : String(error) };
    }
  });
}

function cardEntry(card: vCard): Omit<Entry, 'where'> {
  const properties = (card.toJSON() as unknown as [string, JCardProperty[]])[1];
  const named = (name: string): JCardProperty[] => properties.filter(([key]) => key === name);
  const [fullName] = named('fn');
  const [structured] = named('n');
  // N is family;given;middle;prefix;suffix: read as given, middle, family.
  const fromParts = structured ? [1, 2, 0].map((part) => textOf(structured, part)).join(' ') : '';
  const name = squeeze(fullName ? textOf(fullName) : '') || squeeze(fromParts);
  const phones = named('tel').map((tel) => squeeze(textOf(tel).replace(/^tel:/i, ''))).filter(Boolean);
  return { name, phones };
}
