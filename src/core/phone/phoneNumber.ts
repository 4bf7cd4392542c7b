import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { PhoneNumber } from './phoneNumberSchema';
import { BoundedMap } from '../collections/boundedMap';

/** Callers ring again and again, and formatting is most of the cost of reading an event. */
const maxRemembered = 2000;
const recentlyFormatted = new BoundedMap<string, PhoneNumber>(maxRemembered);

/** TeleCMI sends numbers as digit strings or JSON numbers, country code first and without `+`. */
export function toPhoneNumber(value: string | number): PhoneNumber {
  const text = String(value).trim();
  const remembered = recentlyFormatted.get(text);
  if (remembered) return remembered;
  const number = format(text);
  recentlyFormatted.set(text, number);
  return number;
}

function format(text: string): PhoneNumber {
  const digits = text.replace(/\D/g, '');
  if (digits.length === 0) return { digits, display: text };
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  const display = parsed?.isPossible() ? parsed.formatInternational() : `+${digits}`;
  return { digits, display };
}

/**
 * Two ways of writing one number meet here: `919876543210`, `9876543210` and `09876543210` (an
 * agent dialling the national form) are the same caller. The key is the last nine digits; a match
 * is then confirmed with `sameNumber`.
 */
export const numberKey = (digits: string): string => digits.slice(-9);

/** The same number written with or without its country code or trunk prefix (0). */
export function sameNumber(a: string, b: string): boolean {
  if (a === b) return true;
  const [shorter, longer] = [a.replace(/^0+/, ''), b.replace(/^0+/, '')].sort((x, y) => x.length - y.length) as [string, string];
  return shorter.length >= 7 && longer.endsWith(shorter) && longer.length - shorter.length <= 3;
}
