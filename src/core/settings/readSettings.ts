import { z } from 'zod';
import type { Logger } from '../log/logger';
import { settingsSchema, type Settings } from './settingsSchema';

/**
 * Settings as read from disk, key by key: a value the schema refuses is reset to its default
 * and logged (without the value, which may be the token), never a crash.
 */
export function readSettings(stored: unknown, log: Logger): { settings: Settings; defaulted: Array<keyof Settings> } {
  const source = stored !== null && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  /** Keys that were missing or invalid, now holding their default. */
  const defaulted: Array<keyof Settings> = [];
  const entries = Object.entries(settingsSchema.shape).map(([key, schema]) => {
    if (source[key] === undefined) defaulted.push(key as keyof Settings);
    const parsed = schema.safeParse(source[key]);
    if (parsed.success) return [key, parsed.data];
    defaulted.push(key as keyof Settings);
    log.warn(`setting "${key}" was invalid and is reset to its default`, { reason: z.prettifyError(parsed.error) });
    return [key, schema.parse(undefined)];
  });
  return { settings: Object.fromEntries(entries) as Settings, defaulted };
}
