// The full metadata: telling a valid national number from a foreign one written without `+`
// needs each country's number ranges (the small set calls `12124561234` an Indian number).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { PhoneNumber } from '../phone/phoneNumberSchema';

/**
 * A number as a person or a CRM wrote it (`098765 43210`, `+91 98765-43210`, `919876543210`,
 * `080 4123 4567 ext. 12`) in E.164 (`+919876543210`), the form every match is made on; an
 * extension is left out. Undefined when it cannot be a phone number.
 */
export function toE164(text: string, defaultCountry: string): string | undefined {
  const national = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
  if (national?.isValid()) return national.number;
  // `447911123456`: a foreign number written country code first, without `+` (as TeleCMI does).
  if (/^[\s(]*[1-9]/.test(text) && !text.includes('+')) {
    const international = parsePhoneNumberFromString(`+${text.replace(/\D/g, '')}`);
    if (international?.isValid()) return international.number;
  }
  return national?.isPossible() ? national.number : undefined;
}

/**
 * The caller as a lookup key. TeleCMI sends the country code first, so this is a string, not a
 * parse; a number sent in national form (trunk prefix 0) is read with the default country.
 */
export function callerKeys(phone: PhoneNumber, defaultCountry: string): string[] {
  if (!phone.digits) return [];
  if (!phone.digits.startsWith('0')) return [`+${phone.digits}`];
  return [toE164(phone.digits, defaultCountry) ?? []].flat();
}
