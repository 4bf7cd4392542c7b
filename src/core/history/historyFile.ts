import { existsSync, copyFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import { callRecordSchema, type CallRecord } from '../calls/callRecord';
import type { Logger } from '../log/logger';
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
  const keepAside = (how: 'move' | 'copy', reason: string): void => {
    if (!existsSync(filePath)) return;
    const aside = `${filePath}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    (how === 'move' ? renameSync : copyFileSync)(filePath, aside);
    log.warn('the call history file could not be read fully; a copy was kept', { reason, keptAt: aside });
  };

  const file = openOrStartOver(open, (reason) => keepAside('move', reason));

  return {
    load(): CallRecord[] {
      const stored = readCalls(file);
      const parsed = z.array(z.unknown()).safeParse(stored);
      if (!parsed.success) {
        keepAside('copy', '"calls" is not a list');
        return [];
      }
      const calls = parsed.data.flatMap((item) => {
        const call = callRecordSchema.safeParse(item);
        return call.success ? [call.data] : [];
      });
      const invalid = parsed.data.length - calls.length;
      if (invalid > 0) keepAside('copy', `${invalid} of ${parsed.data.length} calls are not valid call records`);
      return calls;
    },
    save(calls) {
      file.set('calls', calls);
    },
  };
}

function openOrStartOver(open: () => KeyValueFile, moveAside: (reason: string) => void): KeyValueFile {
  try {
    const file = open();
    readCalls(file);
    return file;
  } catch (error) {
    moveAside(error instanceof Error ? error.message : String(error));
    return open();
  }
}

function readCalls(file: KeyValueFile): unknown {
  return file.get('calls') ?? [];
}
