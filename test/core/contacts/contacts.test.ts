import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContactBook, withDefaultCountry } from '../../../src/core/contacts/contactBook';
import { ContactFileError, contactFormatOf, readContacts } from '../../../src/core/contacts/contactFile';
import { createContactLibrary } from '../../../src/core/contacts/contactLibrary';
import { toE164 } from '../../../src/core/contacts/contactNumbers';
import { describeImport, readContactsFile, reportOf } from '../../../src/core/contacts/contactStore';
import { silentLogger } from '../../../src/core/log/logger';
import { toPhoneNumber } from '../../../src/core/phone/phoneNumber';

const caller = (digits: string) => toPhoneNumber(digits);

describe('phone numbers in E.164', () => {
  it.each([
    ['098765 43210', 'IN', '+919876543210'],
    ['+91 98765-43210', 'IN', '+919876543210'],
    ['919876543210', 'IN', '+919876543210'],
    ['9876543210', 'IN', '+919876543210'],
    ['00919876543210', 'GB', '+919876543210'],
    ['020 7946 0000', 'GB', '+442079460000'],
    ['+44 (0)20 7946 0000', 'IN', '+442079460000'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['030 123456', 'DE', '+4930123456'],
    ['080 4123 4567 ext. 12', 'IN', '+918041234567'],
    ['+1 415 555 2671 x5', 'IN', '+14155552671'],
  ])('reads %s (default %s) as %s', (text, country, e164) => {
    expect(toE164(text, country)).toBe(e164);
  });

  it.each([['abc'], ['12'], [''], ['+']])('refuses %j', (text) => {
    expect(toE164(text, 'IN')).toBeUndefined();
  });
});

describe('contact book', () => {
  const contact = (name: string, ...raws: string[]) => ({ name, numbers: raws.map((raw) => ({ raw, e164: toE164(raw, 'IN') as string })) });

  it('finds a caller as TeleCMI sends the number, however the contact wrote it', () => {
    const book = createContactBook([contact('Asha Rao', '098765 43210')], 'IN');
    expect(book.namesFor(caller('919876543210'))).toEqual(['Asha Rao']);
    expect(book.namesFor(caller('919876543211'))).toEqual([]);
    expect(book.namesFor(undefined)).toEqual([]);
  });

  it('reads a caller sent in national form with the default country', () => {
    const book = createContactBook([contact('Asha Rao', '+91 98765 43210')], 'IN');
    expect(book.namesFor(caller('09876543210'))).toEqual(['Asha Rao']);
  });

  it('gives every contact a shared number belongs to, each name once', () => {
    const book = createContactBook([contact('Asha Rao', '9876543210'), contact('Ravi Kumar', '+919876543210', '080 4123 4567'), contact('Asha Rao', '98765 43210')], 'IN');
    expect(book.namesFor(caller('919876543210'))).toEqual(['Asha Rao', 'Ravi Kumar']);
    expect(book.namesFor(caller('918041234567'))).toEqual(['Ravi Kumar']);
  });

  it('reads numbers without a country code again under another default country', () => {
    const contacts = [{ name: 'London office', numbers: [{ raw: '020 7946 0000', e164: '+912079460000' }] }];
    const book = createContactBook(withDefaultCountry(contacts, 'GB'), 'GB');
    expect(book.namesFor(caller('442079460000'))).toEqual(['London office']);
  });
});

describe('CSV import', () => {
  it('finds name and phone columns as Google Contacts names them, several numbers in one cell', () => {
    const csv = 'First Name,Middle Name,Last Name,Phone 1 - Label,Phone 1 - Value,Phone 2 - Value\nAsha,,Rao,Mobile,+91 98765 43210 ::: 080 4123 4567,\nRavi,K,Kumar,Work,,9876500000\n';
    const { contacts, skipped, read } = readContacts(csv, 'csv', 'IN');
    expect(read).toBe(2);
    expect(skipped).toEqual([]);
    expect(contacts.map((found) => [found.name, found.numbers.map((number) => number.e164)])).toEqual([
      ['Asha Rao', ['+919876543210', '+918041234567']],
      ['Ravi K Kumar', ['+919876500000']],
    ]);
  });

  it('reads a CRM export (Full Name, Mobile, Phone) saved with semicolons and a byte-order mark', () => {
    const csv = '\uFEFFFull Name;Email;Mobile;Phone;Number of Employees\n"Rao, Asha";asha@example.com;098765 43210;;12\n';
    const { contacts } = readContacts(csv, 'csv', 'IN');
    expect(contacts).toEqual([{ name: 'Rao, Asha', numbers: [{ raw: '098765 43210', e164: '+919876543210' }] }]);
  });

  it('says which rows were left out and why, and keeps the rest', () => {
    const csv = 'Name,Phone\nAsha Rao,9876543210\n,9876543211\nNo Number,\nBad Number,n/a\n"Quoted\nName",9876543212\n';
    const result = readContacts(csv, 'csv', 'IN');
    expect(result.contacts.map((found) => found.name)).toEqual(['Asha Rao', 'Quoted Name']);
    expect(result.skipped).toEqual([
      { where: 'row 3', reason: 'no name' },
      { where: 'row 4', reason: 'no phone number' },
      { where: 'row 5', reason: '"n/a" is not a phone number' },
    ]);
    expect(describeImport(reportOf('crm.csv', result))).toBe('2 contacts from crm.csv (5 read; 3 skipped: row 3 no name, row 4 no phone number, row 5 "n/a" is not a phone number)');
  });

  it.each([
    ['Name,Email\nAsha,a@example.com\n', /no phone column among "Name", "Email"/],
    ['Company,Phone\nAcme,9876543210\n', /no name column/],
    ['', /the file is empty/],
    ['Name,Phone\n"Asha,9876543210\n', /not a readable CSV file/],
  ])('refuses a file that cannot be a contact list: %j', (csv, message) => {
    expect(() => readContacts(csv, 'csv', 'IN')).toThrow(ContactFileError);
    expect(() => readContacts(csv, 'csv', 'IN')).toThrow(message);
  });
});

describe('vCard import', () => {
  const card = (...lines: string[]) => ['BEGIN:VCARD', ...lines, 'END:VCARD'].join('\r\n');

  it('reads vCard 2.1 (quoted-printable names, bare types), 3.0 and 4.0 (tel: URIs)', () => {
    const vcf = [
      card('VERSION:2.1', 'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E0=A4=B0=E0=A4=B5=E0=A4=BF;;;;', 'TEL;CELL;PREF:09876543211'),
      card('VERSION:3.0', 'FN:Asha Rao', 'N:Rao;Asha;;;', 'TEL;TYPE=CELL:+91 98765-43210', 'TEL;TYPE=WORK,VOICE:080 4123 4567 ext. 12'),
      card('VERSION:4.0', 'FN:Meera Iyer', 'TEL;VALUE=uri;TYPE=cell:tel:+91-98765-43212'),
    ].join('\r\n');
    const { contacts, skipped } = readContacts(vcf, 'vcard', 'IN');
    expect(skipped).toEqual([]);
    expect(contacts.map((found) => [found.name, found.numbers.map((number) => number.e164)])).toEqual([
      ['रवि', ['+919876543211']],
      ['Asha Rao', ['+919876543210', '+918041234567']],
      ['Meera Iyer', ['+919876543212']],
    ]);
  });

  it('names a card from N when it has no FN, and says which cards were left out', () => {
    const vcf = [card('VERSION:3.0', 'N:Kumar;Ravi;;;', 'TEL:9876500000'), card('VERSION:3.0', 'FN:No Phone'), card('VERSION:3.0', 'TEL:9876500001')].join('\n');
    const { contacts, skipped } = readContacts(vcf, 'vcard', 'IN');
    expect(contacts.map((found) => found.name)).toEqual(['Ravi Kumar']);
    expect(skipped).toEqual([
      { where: 'card 2', reason: 'no phone number' },
      { where: 'card 3', reason: 'no name' },
    ]);
  });

  it('refuses a file without a card', () => {
    expect(() => readContacts('hello', 'vcard', 'IN')).toThrow('no vCard in the file');
  });

  it('leaves out a card the parser cannot read, and keeps the others', () => {
    const vcf = ['junk before', card('VERSION:9.9', 'FN:Odd', 'TEL:9876543219'), card('VERSION:3.0', 'FN:Asha Rao', 'TEL:9876543210')].join('\r\n');
    const { contacts, skipped } = readContacts(vcf, 'vcard', 'IN');
    expect(contacts.map((found) => found.name)).toEqual(['Asha Rao']);
    expect(skipped).toEqual([{ where: 'card 1', reason: 'not readable: Unsupported version "9.9"' }]);
  });

  it('tells a vCard by its extension or its first line', () => {
    expect(contactFormatOf('people.VCF', '')).toBe('vcard');
    expect(contactFormatOf('export.txt', '\uFEFF BEGIN:VCARD\r\n')).toBe('vcard');
    expect(contactFormatOf('export.csv', 'Name,Phone')).toBe('csv');
  });
});

describe('contact files and the app’s contacts', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'telecmi-contacts-'));

  it('says in one line why a file cannot be read', () => {
    const dir = folder();
    expect(() => readContactsFile(join(dir, 'missing.csv'), 'IN')).toThrow(`cannot read ${join(dir, 'missing.csv')}: no such file`);
    expect(() => readContactsFile(dir, 'IN')).toThrow('it is a folder');
  });

  it('keeps imported contacts in the data folder, readable by this user only, until cleared', () => {
    const dir = folder();
    writeFileSync(join(dir, 'team.csv'), 'Name,Mobile\nAsha Rao,098765 43210\n');
    const library = createContactLibrary({ dataDir: dir, defaultCountry: 'IN', log: silentLogger });
    expect(library.summary()).toBeNull();
    const report = library.import(join(dir, 'team.csv'), 1_700_000_000_000);
    expect(report).toEqual({ source: 'team.csv', read: 1, imported: 1, skipped: [], skippedCount: 0 });
    expect(library.namesFor(caller('919876543210'))).toEqual(['Asha Rao']);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'contacts.json')).mode & 0o777).toBe(0o600);

    const reopened = createContactLibrary({ dataDir: dir, defaultCountry: 'IN', log: silentLogger });
    expect(reopened.summary()).toEqual({ count: 1, source: 'team.csv', importedAt: 1_700_000_000_000 });
    expect(reopened.namesFor(caller('919876543210'))).toEqual(['Asha Rao']);
    reopened.clear();
    expect(reopened.namesFor(caller('919876543210'))).toEqual([]);
    expect(createContactLibrary({ dataDir: dir, defaultCountry: 'IN', log: silentLogger }).summary()).toBeNull();
  });

  it('replaces the contacts on a new import, and changes nothing when the file is refused', () => {
    const dir = folder();
    writeFileSync(join(dir, 'first.csv'), 'Name,Phone\nAsha Rao,9876543210\n');
    writeFileSync(join(dir, 'second.vcf'), 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ravi Kumar\r\nTEL:9876500000\r\nEND:VCARD\r\n');
    writeFileSync(join(dir, 'broken.csv'), 'Name,Email\nX,y\n');
    const library = createContactLibrary({ dataDir: dir, defaultCountry: 'IN', log: silentLogger });
    library.import(join(dir, 'first.csv'));
    library.import(join(dir, 'second.vcf'));
    expect(library.namesFor(caller('919876543210'))).toEqual([]);
    expect(library.namesFor(caller('919876500000'))).toEqual(['Ravi Kumar']);
    expect(() => library.import(join(dir, 'broken.csv'))).toThrow(ContactFileError);
    expect(library.summary()?.source).toBe('second.vcf');
  });

  it('reads the contacts again when the default country changes', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'office.csv'), 'Name,Phone\nLondon office,020 7946 0000\n');
    const library = createContactLibrary({ dataDir: dir, defaultCountry: 'IN', log: silentLogger });
    library.import(join(dir, 'office.csv'));
    expect(library.namesFor(caller('442079460000'))).toEqual([]);
    await library.setDefaultCountry('GB');
    expect(library.namesFor(caller('442079460000'))).toEqual(['London office']);
    expect(createContactLibrary({ dataDir: dir, defaultCountry: 'GB', log: silentLogger }).namesFor(caller('442079460000'))).toEqual(['London office']);
  });

  it('keeps a damaged contacts file aside and starts without contacts', () => {
    const dir = folder();
    writeFileSync(join(dir, 'contacts.json'), '{"v":1,');
    const library = createContactLibrary({ dataDir: dir, defaultCountry: 'IN', log: silentLogger });
    expect(library.summary()).toBeNull();
    expect(readdirSync(dir).some((name) => name.startsWith('contacts.json.corrupt-'))).toBe(true);
  });
});
