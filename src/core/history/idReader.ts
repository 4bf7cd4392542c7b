import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../log/logger';
import type { CallDatabase, Seq } from './callDatabase';
import type { CallIndex } from './callIndex';

const idChunk = 2000;

export interface IdReaderOptions {
  database: CallDatabase;
  index: CallIndex;
  /** Removed meanwhile, not written yet: not to be learnt. */
  isRemoved: (id: string) => boolean;
  isClosed: () => boolean;
  log: Logger;
}

/**
 * Reads every stored call's id, caller, conversation and start into the index, a chunk at a time,
 * each in a turn of its own, so opening stays fast at any size: a history smaller than a chunk is
 * read at once, a larger one from the next turn on (at 100,000 calls a chunk costs ~20 ms, which
 * start-up need not wait for). Until it is done, the database is asked about unknown ids.
 */
export function createIdReader({ database, index, isRemoved, isClosed, log }: IdReaderOptions) {
  let allKnown = false;
  /** The last seq the reading has got to. */
  let readUpTo: Seq = 0;
  /** The database failed the reading: lookups answer from what is known, unknown ids are asked for one by one. */
  let unreadable = false;

  /** Reads the next chunk: true once every id is known, or none can be read. */
  function readChunk(): boolean {
    if (allKnown || unreadable) return true;
    try {
      const { calls, last } = database.idsAfter(readUpTo, idChunk);
      for (const call of calls) if (!isRemoved(call.id)) index.add(call.id, call);
      readUpTo = last ?? readUpTo;
      allKnown = calls.length < idChunk;
      return allKnown;
    } catch (error) {
      // A damaged file must not stop the calls: they ring and are kept as ever, without what the rest would have said.
      unreadable = true;
      log.error(
        "the history could not read all its calls: popups may not count a caller's older calls, nor older calls take their later events",
        { file: database.filePath, error: String(error) },
      );
      return true;
    }
  }

  return {
    /** Every id is in the index: an id it lacks is not in the history. */
    allKnown: (): boolean => allKnown,
    /** A cleared history: nothing more to read. */
    markAllKnown(): void {
      allKnown = true;
    },
    /** Finishes the reading now (a conversation's calls asked for just after opening a large history). */
    readAll(): void {
      for (let done = allKnown; !done && !isClosed();) done = readChunk();
    },
    async readInBackground(total: number): Promise<void> {
      if (total >= idChunk) await nextTurn();
      while (!isClosed() && !readChunk()) await nextTurn();
    },
  };
}
