import { z } from 'zod';
import { toPhoneNumber } from '../phone/phoneNumber';
import type { CustomFields } from './customFields';
import { nestsDeeperThan } from './nesting';

/** Says "required" for a missing field and `expected` otherwise, instead of zod's generic text. */
function expecting(expected: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? `required (${expected})` : `expected ${expected}`);
}

/** A JSON number, or the same number written as text (GET and form bodies carry only text). */
export const numericField = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value),
  z.number({ error: expecting('a number') }),
);

/** Epoch milliseconds a Date can hold (up to the year 275760): anything larger is no time. */
export const epochMillisField = numericField.pipe(
  z
    .number()
    .int('expected whole epoch milliseconds')
    .positive('expected epoch milliseconds')
    .max(8_640_000_000_000_000, 'expected epoch milliseconds'),
);

export const idField = z
  .string({ error: expecting('text') })
  .trim()
  .min(1, 'must not be empty');

export const phoneField = z
  .union([z.string(), z.number()], { error: expecting('a phone number') })
  .transform((value) => toPhoneNumber(value));

/** Statuses are compared in lower case; older payloads said `ringing` for `started`. */
export function statusField<const T extends readonly [string, ...string[]]>(statuses: T) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const status = value.trim().toLowerCase();
    return status === 'ringing' ? 'started' : status;
  }, z.enum(statuses));
}

/**
 * `custom` is a JSON-encoded string of the user's parameters, the literal `none`, empty or
 * malformed. An event is never refused for it: what is not a JSON object (of sane depth) stays as text.
 */
export const customField = z
  .unknown()
  .optional()
  .transform((value): CustomFields | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return parseJsonObject(text) ?? text;
  });

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    return isObject && !nestsDeeperThan(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
