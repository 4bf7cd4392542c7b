import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { callRecordSchema, type CallRecord } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import { fileTime, keepAside } from '../storage/keptAside';
import { openCallDatabase, type CallDatabase } from './callDatabase';
import { errorMessage } from '../log/errorMessage';

/** The file names in a data folder, the same for the app and the CLI. */
export const historyFileName = 'calls.db';
const legacyFileName = 'calls.json';

/**
 * The history of a data folder (`calls.db`), moved over from the JSON file earlier versions kept
 * (`calls.json`, renamed `calls.json.migrated-<time>` once its calls are in). Throws when the
 * folder cannot hold it (missing rights, not a folder).
 */
export function openHistoryDatabase(folder: string, log: Logger, now = () => new Date()): CallDatabase {
  const database = openCallDatabase(join(folder, historyFileName), log, { now });
  // Renamed once its calls are in: a calls.json still here was not moved yet (or the move was cut off).
  const legacy = join(folder, legacyFileName);
  try {
    if (existsSync(legacy)) migrate(legacy, database, log, now());
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

function migrate(legacy: string, database: CallDatabase, log: Logger, now: Date): void {
  const listed = readLegacyCalls(legacy);
  if (!listed.ok) return keepAside(legacy, 'move', listed.reason, log, now);
  const calls = listed.items.flatMap((item) => {
    const call = callRecordSchema.safeParse(item);
    return call.success ? [call.data] : [];
  });
  const invalid = listed.items.length - calls.length;
  if (invalid > 0) keepAside(legacy, 'copy', `${invalid} of ${listed.items.length} calls are not valid call records`, log, now);
  // The JSON file listed the newest first; the database keeps the oldest first.
  database.write({ cleared: false, allRead: false, upserts: calls.toReversed() as CallRecord[], removed: [], eventKeys: [] });
  const migrated = `${legacy}.migrated-${fileTime(now)}`;
  renameSync(legacy, migrated);
  log.info('the call history moved to its database', { calls: calls.length, from: legacy, keptAt: migrated });
}

function readLegacyCalls(file: string): { ok: true; items: unknown[] } | { ok: false; reason: string } {
  try {
    const parsed = z.object({ calls: z.array(z.unknown()).default([]) }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? { ok: true, items: parsed.data.calls } : { ok: false, reason: '"calls" is not a list of calls' };
  } catch (error) {
    return { ok: false, reason: errorMessage(error) };
  }
}
