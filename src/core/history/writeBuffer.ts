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

/** What one write took from the pending changes, to know what it settled. */
interface Batch {
  from: PendingWrite;
  upserts: Map<string, CallRecord>;
  removed: string[];
  added: string[];
  eventKeys: number;
  allReadGeneration: number;
}

/**
 * The history's changes on their way to the database: gathered for `flushDelayMs` and written in
 * one transaction, without waiting for it (the database may run in a worker thread). What is being
 * written stays pending, so the history reads the same meanwhile, until the write settles; a
 * failed write stays pending, is reported once and retried with backoff (1 s, 2 s, 5 s… 30 s).
 * `flush` writes everything now and waits (on closing).
 */
export function createWriteBuffer({ database, log, flushDelayMs, onSaveState, notSavedBecause }: WriteBufferOptions) {
  let pending = nothingPending();
  let timer: NodeJS.Timeout | undefined;
  let writing: Batch | undefined;
  let failures = 0;
  let allReadGeneration = 0;
  let saveState: SaveState = notSavedBecause ? { saved: false, error: notSavedBecause, unsaved: 0 } : { saved: true };

  function report(next: SaveState): void {
    const wasSaved = saveState.saved;
    saveState = next;
    if (wasSaved !== next.saved) onSaveState?.(next);
  }

  function schedule(delay = flushDelayMs): void {
    if (timer) return;
    timer = setTimeout(writeLater, delay);
    timer.unref();
  }

  const isEmpty = ({ cleared, allRead, upserts, removed, eventKeys }: PendingWrite): boolean =>
    !cleared && !allRead && upserts.size === 0 && removed.size === 0 && eventKeys.length === 0;

  const changesOf = (from: PendingWrite) => ({
    cleared: from.cleared,
    allRead: from.allRead,
    upserts: [...from.upserts.values()],
    removed: [...from.removed],
    eventKeys: [...from.eventKeys],
  });

  function succeeded(): void {
    if (notSavedBecause) return;
    if (!saveState.saved) log.info('the call history is saved again', { file: database.filePath });
    failures = 0;
    report({ saved: true });
  }

  function failed(error: unknown, unsaved: number): void {
    const message = errorMessage(error);
    if (saveState.saved) log.error('the call history could not be saved; will retry', { file: database.filePath, error: message });
    report({ saved: false, error: message, unsaved });
    schedule(retryDelaysMs[Math.min(failures++, retryDelaysMs.length - 1)]);
  }

  /** Writes what changed without waiting; one write at a time. */
  function writeLater(): void {
    clearTimeout(timer);
    timer = undefined;
    if (writing) return schedule();
    if (isEmpty(pending)) return;
    const batch: Batch = {
      from: pending,
      upserts: new Map(pending.upserts),
      removed: [...pending.removed],
      added: [...pending.added],
      eventKeys: pending.eventKeys.length,
      allReadGeneration,
    };
    writing = batch;
    database.writeLater(changesOf(pending)).then(
      () => {
        writing = undefined;
        settle(batch);
        succeeded();
      },
      (error: unknown) => {
        writing = undefined;
        // Written since by a `flush`: nothing of it is pending any more.
        if (pending === batch.from) failed(error, pending.upserts.size);
      },
    );
  }

  /** What a write took is pending no more, unless it changed meanwhile. */
  function settle(batch: Batch): void {
    if (pending !== batch.from) return;
    for (const [id, call] of batch.upserts) if (pending.upserts.get(id) === call) pending.upserts.delete(id);
    for (const id of batch.added) if (!pending.upserts.has(id)) pending.added.delete(id);
    for (const id of batch.removed) pending.removed.delete(id);
    pending.eventKeys.splice(0, batch.eventKeys);
    if (batch.allReadGeneration === allReadGeneration) pending.allRead = false;
    pending.cleared = false;
  }

  /** Writes everything pending now and waits for it. False when the disk refused: it stays pending and is retried. */
  function flush(): boolean {
    clearTimeout(timer);
    timer = undefined;
    if (isEmpty(pending)) return saveState.saved;
    try {
      database.write(changesOf(pending));
    } catch (error) {
      failed(error, pending.upserts.size);
      return false;
    }
    pending = nothingPending();
    succeeded();
    return !notSavedBecause;
  }

  return {
    /** The changes not written yet, and those being written (replaced by a new object when cleared or flushed). */
    get pending(): PendingWrite {
      return pending;
    },
    /** Everything pending is dropped for a clear; event keys stay. */
    clearAll(): void {
      pending = { ...nothingPending(), cleared: true, eventKeys: pending.eventKeys };
    },
    /** Every call read ("Mark all read"): one statement when written. */
    markAllRead(): void {
      pending.allRead = true;
      allReadGeneration += 1;
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
