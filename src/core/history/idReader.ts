import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger';
import { beforeEverySeq, type CallDatabase, type Seq, type StoredCallKeys } from './callDatabase';
import type { CallIndex } from './callIndex';
import { mayHold, type KeyFingerprints } from './keyFingerprints';

const idChunk = 500;

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
  let readUpTo: Seq = beforeEverySeq;
  /** The database failed the reading: lookups answer from what is known, unknown ids are asked for one by one. */
  let unreadable = false;
  let reading: Promise<void> = Promise.resolve();
  /** What the file held at opening, until every id is known (see `KeyFingerprints`). */
  let fingerprints: KeyFingerprints | undefined;

  /** Learns a chunk read from `from` on; true once every id is known. One read meanwhile from the same place is passed over. */
  function learn(from: Seq, { calls, last }: { calls: StoredCallKeys[]; last: Seq | null }): boolean {
    if (allKnown || from !== readUpTo) return allKnown;
    for (const call of calls) if (!isRemoved(call.id)) index.add(call.id, call);
    readUpTo = last ?? readUpTo;
    allKnown = calls.length < idChunk;
    if (allKnown) fingerprints = undefined;
    return allKnown;
  }

  /** A damaged file must not stop the calls: they ring and are kept as ever, without what the rest would have said. */
  function giveUp(error: unknown): true {
    unreadable = true;
    log.error(
      "the history could not read all its calls: popups may not count a caller's older calls, nor older calls take their later events",
      { file: database.filePath, error: String(error) },
    );
    return true;
  }

  /** Reads the next chunk now: true once every id is known, or none can be read. */
  function readChunk(): boolean {
    if (allKnown || unreadable) return true;
    try {
      return learn(readUpTo, database.idsAfter(readUpTo, idChunk));
    } catch (error) {
      return giveUp(error);
    }
  }

  /** Reads the next chunk without waiting for the database (it may be in a worker thread). */
  async function readChunkLater(): Promise<boolean> {
    if (allKnown || unreadable) return true;
    const from = readUpTo;
    try {
      return learn(from, await database.idsAfterLater(from, idChunk));
    } catch (error) {
      // Closed meanwhile: nothing more to read, and nothing wrong.
      return isClosed() || giveUp(error);
    }
  }

  /** Without them (a damaged file), unknown ids are looked up one by one, as before. */
  function fingerprintsNow(): KeyFingerprints | undefined {
    try {
      return database.keyFingerprints();
    } catch (error) {
      log.warn('the history could not list its calls at opening: calls are looked up one by one meanwhile', { error: String(error) });
      return undefined;
    }
  }

  /**
   * Takes at most half of a processor: after each chunk, a pause as long as reading it took. Just
   * after a start nothing is compiled yet and each request costs more: read at full speed (the
   * database thread busy, this one learning), the first requests waited 60–90 ms on two cores.
   */
  async function readRest(): Promise<void> {
    await nextTurn();
    for (let started = performance.now(); !isClosed() && !(await readChunkLater()); started = performance.now()) {
      await sleep(performance.now() - started);
    }
  }

  return {
    /** Every id is in the index: an id it lacks is not in the history. */
    allKnown: (): boolean => allKnown,
    /** Whether an id the index lacks may be in the file: asked of the database, if so. */
    mayBeStored: (id: string): boolean => !allKnown && (!fingerprints || mayHold(fingerprints.ids, id)),
    /** A cleared history: nothing more to read. */
    markAllKnown(): void {
      allKnown = true;
      fingerprints = undefined;
    },
    /**
     * Learns a conversation's calls now, before the reading gets to them (its later events just
     * after opening a large history): one scan of the keys, not the rest of the reading (~1.5 s at 100,000 calls).
     */
    learnConversation(conversationId: string): void {
      if (allKnown || isClosed() || (fingerprints && !mayHold(fingerprints.conversations, conversationId))) return;
      try {
        for (const call of database.conversationKeys(conversationId)) if (!isRemoved(call.id)) index.add(call.id, call);
      } catch (error) {
        // A damaged file is said once.
        if (!unreadable) giveUp(error);
      }
    },
    /** Settled once every id is known (or none can be read). */
    done: (): Promise<void> => reading,
    readInBackground(total: number): Promise<void> {
      // A small history is known at once: no popup waits for a line about its callers.
      if (total < idChunk) return (reading = Promise.resolve(void readChunk()));
      fingerprints = fingerprintsNow();
      reading = readRest();
      return reading;
    },
  };
}
