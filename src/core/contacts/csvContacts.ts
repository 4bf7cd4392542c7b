/* Contact CSV files: columns found by their headers, as CRMs, phones and spreadsheets name them. */
import { parse as parseCsv } from 'csv-parse/sync';
import { ContactFileError, shortened, squeeze, type Entry } from './contactEntry';
import { errorMessage } from '../log/errorMessage';

/** Header names reduced to letters and digits: `Phone 1 - Value` becomes `phone1value`. */
const headerKey = (header: string): string => header.toLowerCase().replace(/[^a-z0-9]/g, '');

const personNameHeaders = ['name', 'fullname', 'displayname', 'contactname', 'contact', 'callername', 'personname'];
const nameParts = [
  ['firstname', 'givenname', 'first', 'forename'],
  ['middlename', 'additionalname', 'middle'],
  ['lastname', 'familyname', 'surname', 'last'],
];
/** A company's name: used only for a row without a person's name (Zoho's and Salesforce's Account Name). */
const organisationHeaders = [
  'customername',
  'customer',
  'clientname',
  'leadname',
  'accountname',
  'company',
  'companyname',
  'organization',
  'organisation',
  'organizationname',
  'organisationname',
  'organization1name',
];
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

export function csvEntries(text: string): Entry[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  const { delimiter, skipLines } = delimiterOf(text);
  try {
    // With `info`, each record comes with where it was read; the typings do not follow the option.
    rows = parseCsv(text, {
      bom: true,
      delimiter,
      from_line: skipLines + 1,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof rows;
  } catch (error) {
    throw new ContactFileError(`not a readable CSV file: ${shortened(errorMessage(error))}`);
  }
  const [header, ...records] = rows;
  if (!header) throw new ContactFileError('the file is empty');
  const columns = findColumns(header.record);
  return records.map(({ record, info }) => {
    const cell = (index: number | undefined): string => (index === undefined ? '' : squeeze(record[index] ?? ''));
    const name = cell(columns.person) || squeeze(columns.parts.map(cell).join(' ')) || cell(columns.organisation);
    // Google Contacts puts several numbers in one cell, separated by ` ::: `.
    const phones = columns.phones.flatMap((index) => cell(index).split(/\s*:::\s*/)).filter(Boolean);
    return { where: `row ${info.lines}`, name, phones };
  });
}
