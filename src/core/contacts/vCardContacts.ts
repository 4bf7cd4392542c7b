/* Contact vCard files (2.1, 3.0 and 4.0), read by `vcf` as jCard (RFC 7095): [name, params, type, value]. */
import vCard from 'vcf';
import { ContactFileError, shortened, squeeze, type Entry } from './contactEntry';
import { errorMessage } from '../log/errorMessage';

type JCardProperty = [string, Record<string, unknown>, string, unknown];

/** Quoted-printable text as the bytes it encodes, read in its charset. */
function decodeQuotedPrintable(text: string, charset: string): string {
  // A soft line break left at the very end (nothing followed it) is not text.
  const bytes = Buffer.from(
    text.replace(/=$/, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  );
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** A property's text: quoted-printable (vCard 2.1, old phones' exports) decoded, vCard 3/4 escapes undone. */
function textOf([, params, , value]: JCardProperty, part?: number): string {
  const whole = Array.isArray(value) ? value.map(String).join(';') : String(value ?? '');
  // The parts of a structured value (N) are split at `;`, not at an escaped `\;`.
  const text = part === undefined ? whole : (whole.split(/(?<!\\);/)[part] ?? '');
  if (String(params.encoding ?? '').toUpperCase() === 'QUOTED-PRINTABLE')
    return decodeQuotedPrintable(text, String(params.charset ?? 'utf-8'));
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
    const softBreak = previous !== undefined && /QUOTED-PRINTABLE/i.test(previous.split(':')[0] ?? '') && previous.endsWith('=');
    // A value ending in a stray `=` must not swallow the next property, or the card's end.
    const startsProperty = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)?[;:]/.test(line) || line.trim() === '';
    if (softBreak && !startsProperty) joined[joined.length - 1] = previous.slice(0, -1) + line;
    else joined.push(line);
  }
  if (!joined.some((line) => /^VERSION:/i.test(line))) joined.splice(1, 0, 'VERSION:3.0');
  return joined.join('\r\n');
}

/** Each card on its own: one that `vcf` cannot read is left out and reported, never the whole file. */
export function vCardEntries(text: string): Entry[] {
  const chunks = text.split(/(?=BEGIN:VCARD)/i).filter((chunk) => /^BEGIN:VCARD/i.test(chunk));
  if (chunks.length === 0) throw new ContactFileError('no vCard in the file (BEGIN:VCARD … END:VCARD)');
  return chunks.map((chunk, index) => {
    const where = `card ${index + 1}`;
    try {
      return { where, ...cardEntry(new vCard().parse(repairCard(chunk))) };
    } catch (error) {
      return { where, name: '', phones: [], unreadable: shortened(errorMessage(error)) };
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
  const phones = named('tel')
    .map((tel) => squeeze(textOf(tel).replace(/^tel:/i, '')))
    .filter(Boolean);
  return { name, phones };
}
