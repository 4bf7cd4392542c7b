import { z } from 'zod';
import { callRecordSchema, type CallRecord } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import { keepAside, openOrStartOver } from '../storage/keptAside';
import type { HistoryStore } from './callHistory';

/** The slice of a conf / electron-store instance the history needs. */
export interface KeyValueFile {
  get(key: 'calls'): unknown;
  set(key: 'calls', value: unknown): void;
}

export interface HistoryFileOptions {
  /** Where `open` keeps its file; a corrupt one is moved aside from here. */
  filePath: string;
  /** Opens the store (`new Conf(...)` headless, `new ElectronStore(...)` in the app). */
  open: () => KeyValueFile;
  log: Logger;
  now?: () => Date;
}

/**
 * A history store on a conf-style JSON file. A file that cannot be read, or holds records that
 * are not calls, is kept beside the original for support and reported: it never stops the app.
 */
export function openHistoryFile({ filePath, open, log, now = () => new Date() }: HistoryFileOptions): HistoryStore {
  const file = openOrStartOver(filePath, open, readCalls, log, now);

  return {
    load(): CallRecord[] {
      const parsed = z.array(z.unknown()).safeParse(readCalls(file));
      if (!parsed.success) {
        keepAside(filePath, 'copy', '"calls" is not a list', log, now());
        return [];
      }
      const calls = parsed.data.flatMap((item) => {
        const call = callRecordSchema.safeParse(item);
        return call.success ? [call.data] : [];
      });
      const invalid = parsed.data.length - calls.length;
      if (invalid > 0) keepAside(filePath, 'copy', `${invalid} of ${parsed.data.length} calls are not valid call records`, log, now());
      return calls;
    },
    save(calls) {
      file.set('calls', calls);
    },
  };
}

function readCalls(file: KeyValueFile): unknown {
  return file.get('calls') ?? [];
}
