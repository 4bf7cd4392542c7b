import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContactBook, withDefaultCountry } from '../../../src/core/contacts/contactBook';
import { ContactFileError, contactFormatOf, decodeText, nothingReadReason, readContacts } from '../../../src/core/contacts/contactFile';
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
  ])('reads %s (default %s) as %s', async (text, country, e164) => {
    expect(toE164(text, country)).toBe(e164);
  });

  it.each([
    ['447911123456', 'IN', '+447911123456'],
    ['971501234567', 'IN', '+971501234567'],
    ['14155552671', 'IN', '+14155552671'],
    ['12124561234', 'IN', '+12124561234'],
  ])('reads a foreign number written country code first without + (%s, default %s) as %s', (text, country, e164) => {
    expect(toE164(text, country)).toBe(e164);
  });

  it.each([['abc'], ['12'], [''], ['+']])('refuses %j', async (text) => {
    expect(toE164(text, 'IN')).toBeUndefined();
  });
});

describe('contact book', () => {
  const contact = (name: string, ...raws: string[]) => ({ name, numbers: raws.map((raw) => ({ raw, e164: toE164(raw, 'IN') as string })) });

  it('finds a caller as TeleCMI sends the number, however the contact wrote it', async () => {
    const book = createContactBook([contact('Asha Rao', '098765 43210')], 'IN');
    expect(book.namesFor(caller('919876543210'))).toEqual(['Asha Rao']);
    expect(book.namesFor(caller('919876543211'))).toEqual([]);
    expect(book.namesFor(undefined)).toEqual([]);
  });

  it('reads a caller sent in national form with the default country', async () => {
    const book = createContactBook([contact('Asha Rao', '+91 98765 43210')], 'IN');
    expect(book.namesFor(caller('09876543210'))).toEqual(['Asha Rao']);
  });

  it('gives every contact a shared number belongs to, each name once', async () => {
    const book = createContactBook(
      [contact('Asha Rao', '9876543210'), contact('Ravi Kumar', '+919876543210', '080 4123 4567'), contact('Asha Rao', '98765 43210')],
      'IN',
    );
    expect(book.namesFor(caller('919876543210'))).toEqual(['Asha Rao', 'Ravi Kumar']);
    expect(book.namesFor(caller('918041234567'))).toEqual(['Ravi Kumar']);
  });

  it('reads numbers without a country code again under another default country', async () => {
    const contacts = [{ name: 'London office', numbers: [{ raw: '020 7946 0000', e164: '+912079460000' }] }];
    const book = createContactBook(withDefaultCountry(contacts, 'GB'), 'GB');
    expect(book.namesFor(caller('442079460000'))).toEqual(['London office']);
  });
});

describe('CSV import', () => {
  it('finds name and phone columns as Google Contacts names them, several numbers in one cell', async () => {
    const csv =
      'First Name,Middle Name,Last Name,Phone 1 - Label,Phone 1 - Value,Phone 2 - Value\nAsha,,Rao,Mobile,+91 98765 43210 ::: 080 4123 4567,\nRavi,K,Kumar,Work,,9876500000\n';
    const { contacts, skipped, read } = await readContacts(csv, 'csv', 'IN');
    expect(read).toBe(2);
    expect(skipped).toEqual([]);
    expect(contacts.map((found) => [found.name, found.numbers.map((number) => number.e164)])).toEqual([
      ['Asha Rao', ['+919876543210', '+918041234567']],
      ['Ravi K Kumar', ['+919876500000']],
    ]);
  });

  it('reads a CRM export (Full Name, Mobile, Phone) saved with semicolons and a byte-order mark', async () => {
    const csv = '\uFEFFFull Name;Email;Mobile;Phone;Number of Employees\n"Rao, Asha";asha@example.com;098765 43210;;12\n';
    const { contacts } = await readContacts(csv, 'csv', 'IN');
    expect(contacts).toEqual([{ name: 'Rao, Asha', numbers: [{ raw: '098765 43210', e164: '+919876543210' }] }]);
  });

  it('takes a person’s name over the account’s (Zoho, Salesforce), and the account’s for a row without one', async () => {
    const csv = 'First Name,Last Name,Account Name,Phone\nAsha,Rao,Acme Pvt Ltd,9876543210\n,,Front Desk Ltd,9876543211\n';
    expect((await readContacts(csv, 'csv', 'IN')).contacts.map((found) => found.name)).toEqual(['Asha Rao', 'Front Desk Ltd']);
  });

  it('knows Contact Number, Mob No and Excel’s sep= line; Phonetic names are not phones; a stray quote does not sink the file', async () => {
    const csv =
      'sep=;\nName;Phonetic Last Name;Contact Number;Mob No\nAsha "the best" Rao;Rao;98765 43210 / 98765 43211;\nRavi;;;98765 00000\n';
    const { contacts, skipped } = await readContacts(csv, 'csv', 'IN');
    expect(skipped).toEqual([]);
    expect(contacts.map((found) => [found.name, found.numbers.map((number) => number.e164)])).toEqual([
      ['Asha "the best" Rao', ['+919876543210', '+919876543211']],
      ['Ravi', ['+919876500000']],
    ]);
  });

  it('says why no contact could be read from a file', async () => {
    const result = await readContacts('Name,Phone\nA,n/a\n,9876543210\n', 'csv', 'IN');
    expect(result.contacts).toEqual([]);
    expect(nothingReadReason(result)).toBe('no contact could be read (row 2: "n/a" is not a phone number; row 3: no name)');
  });

  it('keeps a number written with a slash whole, and splits a cell that holds two', async () => {
    const csv = 'Name,Phone\nDarmstadt office,+49 6151/123456\nBolzano office,+39 0471/123456\nTwo phones,98765 43210 / 98765 43211\n';
    const { contacts } = await readContacts(csv, 'csv', 'IN');
    expect(contacts.map((found) => found.numbers.map((number) => number.e164))).toEqual([
      ['+496151123456'],
      ['+390471123456'],
      ['+919876543210', '+919876543211'],
    ]);
  });

  it.each([
    [
      'UTF-16 with a byte-order mark (Excel’s Unicode text)',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name\tPhone\r\nJürgen Müller\t9876543210\r\n', 'utf16le')]),
    ],
    ['Windows-1252 (Excel’s CSV on Windows)', Buffer.from('Name,Phone\nJürgen Müller,9876543210\n', 'latin1')],
    [
      'UTF-8 with a byte-order mark',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name,Phone\nJürgen Müller,9876543210\n')]),
    ],
  ])('reads a file saved as %s', async (_encoding, bytes) => {
    const { contacts } = await readContacts(decodeText(bytes), 'csv', 'IN');
    expect(contacts.map((found) => found.name)).toEqual(['Jürgen Müller']);
  });

  it('says which rows were left out and why, and keeps the rest', async () => {
    const csv = 'Name,Phone\nAsha Rao,9876543210\n,9876543211\nNo Number,\nBad Number,n/a\n"Quoted\nName",9876543212\n';
    const result = await readContacts(csv, 'csv', 'IN');
    expect(result.contacts.map((found) => found.name)).toEqual(['Asha Rao', 'Quoted Name']);
    expect(result.skipped).toEqual([
      { where: 'row 3', reason: 'no name' },
      { where: 'row 4', reason: 'no phone number' },
      { where: 'row 5', reason: '"n/a" is not a phone number' },
    ]);
    expect(describeImport(reportOf('crm.csv', result))).toBe(
      '2 contacts from crm.csv (5 read; 3 skipped: row 3 no name, row 4 no phone number, row 5 "n/a" is not a phone number)',
    );
  });

  it.each([
    ['Name,Email\nAsha,a@example.com\n', /no phone column among "Name", "Email"/],
    ['Email,Phone\na@example.com,9876543210\n', /no name column/],
    ['', /the file is empty/],
    ['Name,Phone\n"Asha,9876543210\n', /not a readable CSV file/],
  ])('refuses a file that cannot be a contact list: %j', async (csv, message) => {
    await expect(readContacts(csv, 'csv', 'IN')).rejects.toThrow(ContactFileError);
    await expect(readContacts(csv, 'csv', 'IN')).rejects.toThrow(message);
  });
});

describe('vCard import', () => {
  const card = (...lines: string[]) => ['BEGIN:VCARD', ...lines, 'END:VCARD'].join('\r\n');

  it('reads vCard 2.1 (quoted-printable names, bare types), 3.0 and 4.0 (tel: URIs)', async () => {
    const vcf = [
      card('VERSION:2.1', 'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E0=A4=B0=E0=A4=B5=E0=A4=BF;;;;', 'TEL;CELL;PREF:09876543211'),
      card('VERSION:3.0', 'FN:Asha Rao', 'N:Rao;Asha;;;', 'TEL;TYPE=CELL:+91 98765-43210', 'TEL;TYPE=WORK,VOICE:080 4123 4567 ext. 12'),
      card('VERSION:4.0', 'FN:Meera Iyer', 'TEL;VALUE=uri;TYPE=cell:tel:+91-98765-43212'),
    ].join('\r\n');
    const { contacts, skipped } = await readContacts(vcf, 'vcard', 'IN');
    expect(skipped).toEqual([]);
    expect(contacts.map((found) => [found.name, found.numbers.map((number) => number.e164)])).toEqual([
      ['रवि', ['+919876543211']],
      ['Asha Rao', ['+919876543210', '+918041234567']],
      ['Meera Iyer', ['+919876543212']],
    ]);
  });

  it('names a card from N when it has no FN, and says which cards were left out', async () => {
    const vcf = [
      card('VERSION:3.0', 'N:Kumar;Ravi;;;', 'TEL:9876500000'),
      card('VERSION:3.0', 'FN:No Phone'),
      card('VERSION:3.0', 'TEL:9876500001'),
    ].join('\n');
    const { contacts, skipped } = await readContacts(vcf, 'vcard', 'IN');
    expect(contacts.map((found) => found.name)).toEqual(['Ravi Kumar']);
    expect(skipped).toEqual([
      { where: 'card 2', reason: 'no phone number' },
      { where: 'card 3', reason: 'no name' },
    ]);
  });

  it('joins quoted-printable soft line breaks, reads cards without VERSION, undoes escapes, and decodes Latin-1', async () => {
    const vcf = [
      card(
        'VERSION:2.1',
        'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E0=A4=86=E0=A4=B6=E0=A4=BE =E0=A4=B0=E0=A4=BE=',
        '=E0=A4=B5',
        'TEL;CELL:9876543210',
      ),
      card('FN:Rao\\, Asha', 'TEL:9876543211'),
      card('VERSION:3.0', 'N:O\\;Neil;Pat;;;', 'TEL:9876543213'),
      card('VERSION:2.1', 'FN;ENCODING=QUOTED-PRINTABLE:Ravi=', 'TEL:9876543214'),
      card('VERSION:2.1', 'FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen', 'TEL:9876543212'),
    ].join('\r\n');
    const { contacts, skipped } = await readContacts(vcf, 'vcard', 'IN');
    expect(skipped).toEqual([]);
    expect(contacts.map((found) => found.name)).toEqual(['आशा राव', 'Rao, Asha', 'Pat O;Neil', 'Ravi', 'Jürgen']);
  });

  it('refuses a file without a card', async () => {
    await expect(readContacts('hello', 'vcard', 'IN')).rejects.toThrow('no vCard in the file');
  });

  it('leaves out a card the parser cannot read, and keeps the others', async () => {
    const vcf = ['junk before', card('VERSION:9.9', 'FN:Odd', 'TEL:9876543219'), card('VERSION:3.0', 'FN:Asha Rao', 'TEL:9876543210')].join(
      '\r\n',
    );
    const { contacts, skipped } = await readContacts(vcf, 'vcard', 'IN');
    expect(contacts.map((found) => found.name)).toEqual(['Asha Rao']);
    expect(skipped).toEqual([{ where: 'card 1', reason: 'not readable: Unsupported version "9.9"' }]);
  });

  it('tells a vCard by its extension or its first line', async () => {
    expect(contactFormatOf('people.VCF', '')).toBe('vcard');
    expect(contactFormatOf('export.txt', '\uFEFF BEGIN:VCARD\r\n')).toBe('vcard');
    expect(contactFormatOf('export.csv', 'Name,Phone')).toBe('csv');
  });
});

describe('contact files and the app’s contacts', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'telecmi-contacts-'));
  /** A data folder holding these files, and the app's contacts over it. */
  const libraryWith = (files: Record<string, string>, defaultCountry = 'IN') => {
    const dir = folder();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return { dir, library: createContactLibrary({ dataDir: dir, defaultCountry, log: silentLogger }) };
  };

  it('says in one line why a file cannot be read', async () => {
    const dir = folder();
    await expect(readContactsFile(join(dir, 'missing.csv'), 'IN')).rejects.toThrow(`cannot read ${join(dir, 'missing.csv')}: no such file`);
    await expect(readContactsFile(dir, 'IN')).rejects.toThrow(`cannot read ${dir}: a folder stands where a file should be`);
  });

  it('keeps imported contacts in the data folder, readable by this user only, until cleared', async () => {
    const { dir, library } = libraryWith({ 'team.csv': 'Name,Mobile\nAsha Rao,098765 43210\n' });
    expect(library.summary()).toBeNull();
    const report = await library.import(join(dir, 'team.csv'), 1_700_000_000_000);
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

  it('replaces the contacts on a new import, and changes nothing when the file is refused', async () => {
    const { dir, library } = libraryWith({
      'first.csv': 'Name,Phone\nAsha Rao,9876543210\n',
      'second.vcf': 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ravi Kumar\r\nTEL:9876500000\r\nEND:VCARD\r\n',
      'broken.csv': 'Name,Email\nX,y\n',
    });
    await library.import(join(dir, 'first.csv'));
    await library.import(join(dir, 'second.vcf'));
    expect(library.namesFor(caller('919876543210'))).toEqual([]);
    expect(library.namesFor(caller('919876500000'))).toEqual(['Ravi Kumar']);
    await expect(library.import(join(dir, 'broken.csv'))).rejects.toThrow(ContactFileError);
    expect(library.summary()?.source).toBe('second.vcf');
  });

  it('keeps every contact through default countries under which its numbers do not read', async () => {
    const { dir, library } = libraryWith({ 'office.csv': 'Name,Phone\nBangalore office,080 4123 4567\nAsha Rao,098765 43210\n' });
    await library.import(join(dir, 'office.csv'));
    await library.setDefaultCountry('US');
    expect(library.summary()?.count).toBe(2);
    await library.setDefaultCountry('IN');
    expect(library.namesFor(caller('918041234567'))).toEqual(['Bangalore office']);
    expect(library.namesFor(caller('919876543210'))).toEqual(['Asha Rao']);
  });

  it('ends on the country last asked for, however changes and imports overlap', async () => {
    const { dir, library } = libraryWith({ 'office.csv': 'Name,Phone\nLondon office,020 7946 0000\nBangalore office,080 4123 4567\n' });
    await library.import(join(dir, 'office.csv'));
    const toGb = library.setDefaultCountry('GB');
    const imported = library.import(join(dir, 'office.csv'));
    await Promise.all([toGb, imported]);
    expect(library.namesFor(caller('442079460000'))).toEqual(['London office']);
    await Promise.all([library.setDefaultCountry('US'), library.setDefaultCountry('IN')]);
    expect(library.namesFor(caller('918041234567'))).toEqual(['Bangalore office']);
    expect(library.namesFor(caller('442079460000'))).toEqual([]);
  });

  it('reads saved contacts again at start when the settings name another country', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'office.csv'), 'Name,Phone\nLondon office,020 7946 0000\n');
    await createContactLibrary({ dataDir: dir, defaultCountry: 'GB', log: silentLogger }).import(join(dir, 'office.csv'));
    const reset = createContactLibrary({ dataDir: dir, defaultCountry: 'IN', log: silentLogger });
    expect(reset.namesFor(caller('442079460000'))).toEqual(['London office']);
    await reset.start();
    expect(reset.namesFor(caller('442079460000'))).toEqual([]);
    expect(reset.summary()?.count).toBe(1);
  });

  it('imports nothing when the contacts are cleared while the file is read', async () => {
    const { dir, library } = libraryWith({
      'big.csv': `Name,Phone\n${Array.from({ length: 5000 }, (_, index) => `Person ${index},98765${String(index).padStart(5, '0')}`).join('\n')}\n`,
    });
    const importing = library.import(join(dir, 'big.csv'));
    library.clear();
    await expect(importing).rejects.toThrow('cleared while the file was read');
    expect(library.summary()).toBeNull();
  });

  it('keeps the contacts it had when an import reads none', async () => {
    const { dir, library } = libraryWith({ 'good.csv': 'Name,Phone\nAsha Rao,9876543210\n', 'empty.csv': 'Name,Phone\nNobody,\n' });
    await library.import(join(dir, 'good.csv'));
    await expect(library.import(join(dir, 'empty.csv'))).rejects.toThrow('no contact could be read');
    expect(library.namesFor(caller('919876543210'))).toEqual(['Asha Rao']);
  });

  it('reads the contacts again when the default country changes', async () => {
    const { dir, library } = libraryWith({ 'office.csv': 'Name,Phone\nLondon office,020 7946 0000\n' });
    await library.import(join(dir, 'office.csv'));
    expect(library.namesFor(caller('442079460000'))).toEqual([]);
    await library.setDefaultCountry('GB');
    expect(library.namesFor(caller('442079460000'))).toEqual(['London office']);
    expect(createContactLibrary({ dataDir: dir, defaultCountry: 'GB', log: silentLogger }).namesFor(caller('442079460000'))).toEqual([
      'London office',
    ]);
  });

  it('keeps a damaged contacts file aside and starts without contacts', async () => {
    const { dir, library } = libraryWith({ 'contacts.json': '{"v":1,' });
    expect(library.summary()).toBeNull();
    expect(readdirSync(dir).some((name) => name.startsWith('contacts.json.corrupt-'))).toBe(true);
  });
});
