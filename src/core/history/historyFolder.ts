import { closeSync, existsSync, openSync, readSync, renameSync } from 'node:fs';
import { JSONParser } from '@streamparser/json';
import { join } from 'node:path';
import { callRecordSchema } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import { fileTime, keepAside } from '../storage/keptAside';
import { openCallDatabase, type CallDatabase, type OpenedCallDatabase } from './callDatabase';
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

/** Read a megabyte at a time: the file of an older version may hold 100,000 calls (150 MB). */
const chunkBytes = 1 << 20;

/**
 * Moves the calls in, streamed: only a chunk of the file and the calls it completes are in memory
 * at once. All or nothing, in one transaction; a file that is not JSON, or whose `calls` is not a
 * list, is kept aside whole; calls that are not valid records are left out, a copy of the file kept.
 */
function migrate(legacy: string, database: OpenedCallDatabase, log: Logger, now: Date): void {
  let read = 0;
  let invalid = 0;
  let saved: number;
  try {
    saved = database.importOlder((save) =>
      readCallsInChunks(legacy, (items) => {
        read += items.length;
        const calls = items.flatMap((item) => {
          const call = callRecordSchema.safeParse(item);
          return call.success ? [call.data] : [];
        });
        invalid += items.length - calls.length;
        save(calls);
      }),
    );
  } catch (error) {
    // A database that refused (a full disk) leaves the file where it is, for the next start.
    if (!(error instanceof UnreadableFile)) throw error;
    return keepAside(legacy, 'move', error.message, log, now);
  }
  if (invalid > 0) keepAside(legacy, 'copy', `${invalid} of ${read} calls are not valid call records`, log, now);
  const migrated = `${legacy}.migrated-${fileTime(now)}`;
  renameSync(legacy, migrated);
  log.info('the call history moved to its database', { calls: saved, from: legacy, keptAt: migrated });
}

/** The earlier version's file cannot be read as one (not JSON, no list of calls, an unreadable disk). */
class UnreadableFile extends Error {}

/** Hands over the items of the file's `calls`, in its order, those each chunk completed; throws when it is not such a file. */
function readCallsInChunks(file: string, onItems: (items: unknown[]) => void): void {
  // What taking the calls in threw (the database) is not the file's fault.
  let refusedByConsumer: unknown;
  const consume = (items: unknown[]): void => {
    try {
      onItems(items);
    } catch (error) {
      refusedByConsumer = error;
      throw error;
    }
  };
  try {
    readChunks(file, consume);
  } catch (error) {
    if (error === refusedByConsumer || error instanceof UnreadableFile) throw error;
    throw new UnreadableFile(errorMessage(error));
  }
}

function readChunks(file: string, onItems: (items: unknown[]) => void): void {
  // Only the items are selected: a selected parent would keep every item in memory to the end.
  const parser = new JSONParser({ paths: ['$.calls.*'], keepStack: false });
  let items: unknown[] = [];
  parser.onValue = ({ value, parent }) => {
    if (!Array.isArray(parent)) throw new Error('"calls" is not a list of calls');
    items.push(value);
  };
  let firstByte: number | undefined;
  const descriptor = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(chunkBytes);
    for (let length = readSync(descriptor, chunk); length > 0; length = readSync(descriptor, chunk)) {
      firstByte ??= chunk.subarray(0, length).find((byte) => !whitespace.has(byte));
      if (firstByte !== undefined && firstByte !== openingBrace) throw new Error('the file holds no list of calls');
      parser.write(chunk.subarray(0, length));
      onItems(items);
      items = [];
    }
    if (firstByte === undefined) throw new Error('the file is empty');
    if (!parser.isEnded) parser.end();
  } finally {
    closeSync(descriptor);
  }
}

const openingBrace = 0x7b;
const whitespace = new Set([0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf]);
