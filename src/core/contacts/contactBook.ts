import { z } from 'zod';
import type { PhoneNumber } from '../phone/phoneNumberSchema';
import { callerKeys, toE164 } from './contactNumbers';

export const contactSchema = z.object({
  name: z.string().min(1),
  /**
   * As written in the file (kept to read them again under another default country), and in E.164
   * when they read as a number under the current one.
   */
  numbers: z.array(z.object({ raw: z.string(), e164: z.string().optional() })).min(1),
});
export type Contact = z.infer<typeof contactSchema>;

export type ContactBook = ReturnType<typeof createContactBook>;

const nobody: readonly string[] = Object.freeze([]);

/**
 * Contacts indexed by number. A lookup is one map read, so it costs nothing on the way from the
 * webhook to the popup, at any size. A number several contacts share finds them all.
 */
export function createContactBook(contacts: readonly Contact[], defaultCountry: string) {
  // Most numbers have one name: kept as the string itself, an array only where several share it.
  const namesByNumber = new Map<string, string | string[]>();
  for (const contact of contacts) {
    for (const { e164 } of contact.numbers) {
      if (e164 === undefined) continue;
      const names = namesByNumber.get(e164);
      if (names === undefined) namesByNumber.set(e164, contact.name);
      else if (typeof names !== 'string') {
        if (!names.includes(contact.name)) names.push(contact.name);
      } else if (names !== contact.name) namesByNumber.set(e164, [names, contact.name]);
    }
  }
  return {
    size: contacts.length,
    defaultCountry,
    /** Every contact name this caller's number belongs to; none when unknown. */
    namesFor(phone: PhoneNumber | undefined): readonly string[] {
      if (!phone) return nobody;
      for (const key of callerKeys(phone, defaultCountry)) {
        const names = namesByNumber.get(key);
        if (names !== undefined) return typeof names === 'string' ? [names] : names;
      }
      return nobody;
    },
  };
}

/**
 * The same contacts read under another default country: numbers written without a code change
 * meaning. Every contact and number is kept, even one that no longer reads: a slip in the
 * country list must not lose an import.
 */
export function withDefaultCountry(contacts: readonly Contact[], defaultCountry: string): Contact[] {
  return contacts.map((contact) => ({
    name: contact.name,
    numbers: contact.numbers.map(({ raw }) => ({ raw, e164: toE164(raw, defaultCountry) })),
  }));
}
