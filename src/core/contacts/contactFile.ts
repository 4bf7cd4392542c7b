import { setImmediate as nextTurn } from 'node:timers/promises';
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
 * number are left out and reported; a file that yields no contact at all is refused.
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
    const numbers = phones.map((raw) => ({ raw, e164: toE164(raw, defaultCountry) }));
    if (numbers.some((number) => number.e164)) contacts.push({ name, numbers });
    else skipped.push({ where, reason: `${phones.map((phone) => `"${phone}"`).join(', ')} is not a phone number` });
  }
  if (contacts.length === 0) {
    const first = skipped.slice(0, 3).map((skip) => `${skip.where}: ${skip.reason}`).join('; ');
    throw new ContactFileError(`no contact could be read${first ? ` (${first})` : ''}: nothing was changed`);
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
/** One cell, several numbers: Google's ` ::: `, or `/`, `,`, `;`, `|` between numbers (not in `n/a`). */
function numbersIn(cell: string): string[] {
  const parts = cell.split(/\s*(?::::|[/,;|])\s*/).map(squeeze).filter(Boolean);
  const allNumbers = parts.every((part) => part.replace(/\D/g, '').length >= 6);
  return allNumbers || cell.includes(':::') ? parts : [squeeze(cell)].filter(Boolean);
}
const shortened = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

// ---- CSV: columns found by their headers, as CRMs, phones and spreadsheets name them.

/** Header names reduced to letters and digits: `Phone 1 - Value` becomes `phone1value`. */
const headerKey = (header: string): string => header.toLowerCase().replace(/[^a-z0-9]/g, '');

const personNameHeaders = ['name', 'fullname', 'displayname', 'contactname', 'contact', 'callername', 'personname'];
const nameParts = [
  ['firstname', 'givenname', 'first', 'forename'],
  ['middlename', 'additionalname', 'middle'],
  ['lastname', 'familyname', 'surname', 'last'],
];
/** A company's name: used only for a row without a person's name (Zoho's and Salesforce's Account Name). */
const organisationHeaders = ['customername', 'customer', 'clientname', 'leadname', 'accountname', 'company', 'companyname', 'organization', 'organisation'];
const isPhoneHeader = (key: string): boolean =>
  (/phone|mobile|tel|cell|whatsapp|msisdn/.test(key) || /^(contact|mob|mobile|cell|tel|phone)?(number|no|num)$/.test(key)) &&
  // `Phone 1 - Type`, `Phone Label`, `Phone Ext`, Google's `Phonetic First Name`: about a phone, not one.
  !/type|label|extension|^ext|ext$|phonetic/.test(key);

interface Columns {
  person?: number;
  parts: number[];
  organisation?: number;
  phones: number[];
}

const firstOf = (keys: string[], wanted: string[]): number | undefined => {
  const index = wanted.map((name) => keys.indexOf(name)).find((found) => found >= 0);
  return index === undefined ? undefined : index;
};

function findColumns(headers: string[]): Columns {
  const keys = headers.map(headerKey);
  const columns: Columns = {
    person: firstOf(keys, personNameHeaders),
    parts: nameParts.flatMap((names) => firstOf(keys, names) ?? []),
    organisation: firstOf(keys, organisationHeaders),
    phones: keys.flatMap((key, index) => (isPhoneHeader(key) ? [index] : [])),
  };
  const listed = shortened(`"${headers.join('", "')}"`);
  if (columns.phones.length === 0) throw new ContactFileError(`no phone column among ${listed}: name one Phone, Mobile or Number`);
  if (columns.person === undefined && columns.parts.length === 0 && columns.organisation === undefined) {
    throw new ContactFileError(`no name column among ${listed}: name one Name, or First Name and Last Name`);
  }
  return columns;
}

/** Excel's `sep=;` first line names the delimiter; otherwise the header line's commonest separator. */
function delimiterOf(text: string): { delimiter: string; skipLines: number } {
  const end = text.indexOf('\n');
  const header = (end === -1 ? text : text.slice(0, end)).replace(/^\uFEFF/, '');
  const declared = /^"?sep=(.)"?\s*$/i.exec(header)?.[1];
  if (declared) return { delimiter: declared, skipLines: 1 };
  const counts = [',', ';', '\t'].map((candidate) => [candidate, header.split(candidate).length] as const);
  return { delimiter: counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0], skipLines: 0 };
}

function csvEntries(text: string): Entry[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  const { delimiter, skipLines } = delimiterOf(text);
  try {
    // With `info`, each record comes with where it was read; the typings do not follow the option.
    rows = parseCsv(text, { bom: true, delimiter, from_line: skipLines + 1, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: true }) as unknown as typeof rows;
  } catch (error) {
    throw new ContactFileError(`not a readable CSV file: ${shortened((error as Error).message)}`);
  }
  const [header, ...records] = rows;
  if (!header) throw new ContactFileError('the file is empty');
  const columns = findColumns(header.record);
  return records.map(({ record, info }) => {
    const cell = (index: number | undefined): string => (index === undefined ? '' : squeeze(record[index] ?? ''));
    const name = cell(columns.person) || squeeze(columns.parts.map(cell).join(' ')) || cell(columns.organisation);
    return { where: `row ${info.lines}`, name, phones: columns.phones.flatMap((index) => numbersIn(cell(index))) };
  });
}

// ---- vCard (2.1, 3.0 and 4.0), read by `vcf` as jCard (RFC 7095): [name, params, type, value].

type JCardProperty = [string, Record<string, unknown>, string, unknown];

/** Quoted-printable text as the bytes it encodes, read in its charset. */
function decodeQuotedPrintable(text: string, charset: string): string {
  const bytes = Buffer.from(text.replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1');
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** A property's text: quoted-printable (vCard 2.1, old phones' exports) decoded, vCard 3/4 escapes undone. */
function textOf([, params, , value]: JCardProperty, part?: number): string {
  const values = Array.isArray(value) ? value.map(String) : String(value ?? '').split(';');
  const text = part === undefined ? values.join(' ') : (values[part] ?? '');
  if (String(params.encoding ?? '').toUpperCase() === 'QUOTED-PRINTABLE') return decodeQuotedPrintable(text, String(params.charset ?? 'utf-8'));
  return text.replace(/\\n/gi, ' ').replace(/\\([,;\\])/g, '$1');
}

/**
 * What `vcf` needs and old exports leave out: a quoted-printable value's soft line breaks (a line
 * ending in `=`) joined, and a VERSION line where there is none.
 */
function repairCard(chunk: string): string {
  const lines = chunk.split(/\r?\n/);
  const joined: string[] = [];
  for (const line of lines) {
    const previous = joined.at(-1);
    if (previous !== undefined && /QUOTED-PRINTABLE/i.test(previous.split(':')[0] ?? '') && previous.endsWith('=')) joined[joined.length - 1] = previous.slice(0, -1) + line;
    else joined.push(line);
  }
  if (!joined.some((line) => /^VERSION:/i.test(line))) joined.splice(1, 0, 'VERSION:3.0');
  return joined.join('\r\n');
}

/** Each card on its own: one that `vcf` cannot read is left out and reported, never the whole file. */
function vCardEntries(text: string): Entry[] {
  const chunks = text.split(/(?=BEGIN:VCARD)/i).filter((chunk) => /^BEGIN:VCARD/i.test(chunk));
  if (chunks.length === 0) throw new ContactFileError('no vCard in the file (BEGIN:VCARD … END:VCARD)');
  return chunks.map((chunk, index) => {
    const where = `card ${index + 1}`;
    try {
      return { where, ...cardEntry(new vCard().parse(repairCard(chunk))) };
    } catch (error) {
      return { where, name: '', phones: [], unreadable: shortened(error instanceof Error ? error.message : String(error)) };
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
