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
