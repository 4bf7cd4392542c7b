import type { CallRecord } from '../calls/callRecord';
import { errorMessage } from '../log/errorMessage';
import type { Logger } from '../log/logger';
import type { CallDatabase } from './callDatabase';
import type { SaveState } from './saveState';

/** What changed since the last write, applied in this order: clear, all read, removals, upserts. */
export interface PendingWrite {
  cleared: boolean;
  allRead: boolean;
  removed: Set<string>;
  upserts: Map<string, CallRecord>;
  /** Calls not in the database yet, oldest first. */
  added: Set<string>;
  eventKeys: string[];
}

export const nothingPending = (): PendingWrite => ({
  cleared: false,
  allRead: false,
  removed: new Set(),
  upserts: new Map(),
  added: new Set(),
  eventKeys: [],
});

const retryDelaysMs = [1000, 2000, 5000, 10_000, 30_000];

export interface WriteBufferOptions {
  database: CallDatabase;
  log: Logger;
  flushDelayMs: number;
  onSaveState?: (state: SaveState) => void;
  /** Why the history can only be kept in memory (the data folder could not hold the database). */
  notSavedBecause?: string;
}

/**
 * The history's changes on their way to the database: gathered for `flushDelayMs` and written in
 * one transaction. A failed write stays pending, is reported once and retried with backoff
 * (1 s, 2 s, 5 s… 30 s), never blocking anything.
 */
export function createWriteBuffer({ database, log, flushDelayMs, onSaveState, notSavedBecause }: WriteBufferOptions) {
  let pending = nothingPending();
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let saveState: SaveState = notSavedBecause ? { saved: false, error: notSavedBecause, unsaved: 0 } : { saved: true };

  function report(next: SaveState): void {
    const wasSaved = saveState.saved;
    saveState = next;
    if (wasSaved !== next.saved) onSaveState?.(next);
  }

  function schedule(delay = flushDelayMs): void {
    if (timer) return;
    timer = setTimeout(flush, delay);
    timer.unref();
  }

  /** Writes what changed. False when the disk refused: the changes stay pending and are retried. */
  function flush(): boolean {
    clearTimeout(timer);
    timer = undefined;
    const { cleared, allRead, upserts, removed, eventKeys } = pending;
    if (!cleared && !allRead && upserts.size === 0 && removed.size === 0 && eventKeys.length === 0) return saveState.saved;
    try {
      database.write({ cleared, allRead, upserts: [...upserts.values()], removed: [...removed], eventKeys });
    } catch (error) {
      const message = errorMessage(error);
      if (saveState.saved) log.error('the call history could not be saved; will retry', { file: database.filePath, error: message });
      report({ saved: false, error: message, unsaved: upserts.size });
      schedule(retryDelaysMs[Math.min(failures++, retryDelaysMs.length - 1)]);
      return false;
    }
    pending = nothingPending();
    if (notSavedBecause) return false;
    if (!saveState.saved) log.info('the call history is saved again', { file: database.filePath });
    failures = 0;
    report({ saved: true });
    return true;
  }

  return {
    /** The changes not written yet (replaced by a new object at each write). */
    get pending(): PendingWrite {
      return pending;
    },
    /** Everything pending is dropped for a clear; event keys stay. */
    clearAll(): void {
      pending = { ...nothingPending(), cleared: true, eventKeys: pending.eventKeys };
    },
    schedule,
    flush,
    /** `unsavedCalls`: how many calls are only in memory while saving fails. */
    saveState: (unsavedCalls: number): SaveState =>
      saveState.saved ? saveState : { ...saveState, unsaved: notSavedBecause ? unsavedCalls : pending.upserts.size },
    stop(): void {
      clearTimeout(timer);
    },
  };
}
