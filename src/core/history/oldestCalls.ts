import type { Logger } from '../log/logger';
import { beforeEverySeq, type CallDatabase, type Seq } from './callDatabase';
import type { PendingWrite } from './writeBuffer';

const evictionChunk = 512;

export interface OldestCallsOptions {
  database: CallDatabase;
  pending: () => PendingWrite;
  /** A call's read flag as the history sees it now (pending or cached), if it knows one. */
  knownRead: (id: string) => boolean | undefined;
  log: Logger;
}

/**
 * The next calls to evict at the cap, oldest first, with their read flags kept current: the
 * database's oldest, fetched a chunk at a time after the last one fetched (by seq, so what was
 * evicted and written meanwhile shifts nothing), then those not written yet. The next chunk is
 * asked for before this one runs out, without waiting: at the cap every new call evicts one, and
 * a read that waited for the database thread would wait behind its writes.
 */
export function createOldestCalls({ database, pending, knownRead, log }: OldestCallsOptions) {
  const next = new Map<string, boolean>();
  /** The newest seq fetched: the next chunk starts after it. */
  let fetchedUpTo: Seq = beforeEverySeq;
  /** Changed by a clear: a chunk asked for before it is dropped. */
  let generation = 0;
  let fetching = false;
  /** How many times every call was marked read: a chunk read before one of them has stale flags. */
  let allReadMarks = 0;

  /** `allRead`: every call was marked read since the rows were read (that write may be done by now). */
  function learn(rows: ReadonlyArray<{ id: string; read: boolean; seq: Seq }>, allRead = false): void {
    for (const { id, read, seq } of rows) {
      // Fetched already (a chunk read at once while this one was on its way): evicted maybe.
      if (seq <= fetchedUpTo) continue;
      fetchedUpTo = seq;
      next.set(id, knownRead(id) ?? (read || allRead || pending().allRead));
    }
  }

  /** Asks for the next chunk, without waiting, unless enough are known or one is on its way. */
  function readAhead(): void {
    if (fetching || pending().cleared || next.size >= evictionChunk / 2) return;
    fetching = true;
    const asked = generation;
    // Marked read and not written yet: the rows read now predate that write.
    const marks = pending().allRead ? Number.NaN : allReadMarks;
    database.oldestAfterLater(fetchedUpTo, evictionChunk).then(
      (rows) => {
        fetching = false;
        if (asked === generation) learn(rows, marks !== allReadMarks);
      },
      (error: unknown) => {
        fetching = false;
        // Fetched when needed instead, waiting then.
        log.debug('the next calls to evict could not be read ahead', { error: String(error) });
      },
    );
  }

  return {
    readAhead,
    /** The `count` oldest calls not evicted yet. */
    take(count: number): Array<{ id: string; read: boolean }> {
      const { cleared, added, upserts } = pending();
      if (!cleared && next.size < count) learn(database.oldestAfter(fetchedUpTo, Math.max(count, evictionChunk)));
      else readAhead();
      // Taken from the front without copying: at the cap this runs for every new call.
      const picked: Array<{ id: string; read: boolean }> = [];
      for (const [id, read] of next) {
        if (picked.length === count) return picked;
        picked.push({ id, read });
      }
      for (const id of added) {
        if (picked.length === count) break;
        picked.push({ id, read: upserts.get(id)?.read ?? true });
      }
      return picked;
    },
    /** A call's read flag changed (or it was evicted: `delete`). */
    update(id: string, read: boolean): void {
      if (next.has(id)) next.set(id, read);
    },
    delete: (id: string): boolean => next.delete(id),
    markAllRead(): void {
      allReadMarks += 1;
      for (const id of next.keys()) next.set(id, true);
    },
    clear(): void {
      next.clear();
      fetchedUpTo = beforeEverySeq;
      generation += 1;
    },
  };
}
