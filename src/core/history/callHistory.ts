import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CallRecord, HistoryChange } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import type { CallDatabase, Seq } from './callDatabase';
import { createCallIndex } from './callIndex';
import type { SaveState } from './saveState';
import { BoundedMap } from '../collections/boundedMap';
import { errorMessage } from '../log/errorMessage';

export interface CallHistoryOptions {
  database: CallDatabase;
  maxCalls: number;
  log: Logger;
  /**
   * Changes are written at most this often: a burst costs one transaction, and small, frequent
   * transactions keep each pause of the event loop short (the database is synchronous).
   */
  flushDelayMs?: number;
  /** Told when saving starts failing and when it works again. */
  onSaveState?: (state: SaveState) => void;
  /** Why the history can only be kept in memory (the data folder could not hold the database). */
  notSavedBecause?: string;
}

export type CallHistory = ReturnType<typeof createCallHistory>;

/** Records kept in memory: the calls the pipeline is likely to touch next. */
const cachedRecords = 2000;
const retryDelaysMs = [1000, 2000, 5000, 10_000, 30_000];
const listPageSize = 1000;
const evictionChunk = 512;
const idChunk = 2000;

/** What changed since the last write, applied in this order: clear, all read, removals, upserts. */
interface PendingWrite {
  cleared: boolean;
  allRead: boolean;
  removed: Set<string>;
  upserts: Map<string, CallRecord>;
  /** Calls not in the database yet, oldest first. */
  added: Set<string>;
  eventKeys: string[];
}

const nothingPending = (): PendingWrite => ({
  cleared: false,
  allRead: false,
  removed: new Set(),
  upserts: new Map(),
  added: new Set(),
  eventKeys: [],
});

/**
 * The calls, newest first and capped. The database holds them; memory holds what changed since
 * the last write, the recently used records and two counts, so opening costs the same at ten
 * calls or a hundred thousand. Changes are written in one transaction per `flushDelayMs`; a
 * failed write is kept, reported and retried.
 */
export function createCallHistory({ database, maxCalls, log, flushDelayMs = 50, onSaveState, notSavedBecause }: CallHistoryOptions) {
  const cache = new BoundedMap<string, CallRecord>(cachedRecords);
  /**
   * Every call's id, read in the background after opening: once complete, a new call (most
   * events) is known to be new without asking the database. Until then, the database is asked.
   */
  let allIdsKnown = false;
  /** The last seq the reading of ids has got to. */
  let idsReadUpTo: Seq = 0;
  /** The database failed the reading of ids: lookups answer from what is known, unknown ids are asked for one by one. */
  let idsUnreadable = false;
  /** Every call's id, and each caller's and each conversation's calls, learnt with the ids: the database has no index on them. */
  const callIndex = createCallIndex();
  /** The next calls to evict, oldest first, with their read flags kept current. */
  const nextOldest = new Map<string, boolean>();
  const listeners = new Set<(change: HistoryChange) => void>();
  let pending = nothingPending();
  let { total, unread } = database.counts();
  let limit = maxCalls;
  let flushTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;
  let closedSaved = false;
  let saveState: SaveState = notSavedBecause ? { saved: false, error: notSavedBecause, unsaved: 0 } : { saved: true };

  function remember(call: CallRecord): CallRecord {
    cache.set(call.id, call);
    return call;
  }

  /** What the database says, seen through the changes not yet written. */
  function stored(call: CallRecord | undefined): CallRecord | undefined {
    if (!call || pending.removed.has(call.id)) return undefined;
    return pending.allRead && !call.read ? { ...call, read: true } : call;
  }

  function get(id: string): CallRecord | undefined {
    const known = pending.upserts.get(id) ?? cache.get(id);
    if (known || pending.cleared || pending.removed.has(id) || (allIdsKnown && !callIndex.has(id))) return known;
    const call = stored(database.get(id));
    return call && remember(call);
  }

  /**
   * The oldest calls past the cap: the database's oldest first, then those not written yet.
   * The database's are fetched a chunk at a time: at the cap every new call evicts one.
   */
  function oldest(count: number): Array<{ id: string; read: boolean }> {
    if (!pending.cleared && nextOldest.size < count) {
      for (const { id, read } of database.oldest(pending.removed.size + nextOldest.size, Math.max(count, evictionChunk))) {
        nextOldest.set(id, pending.upserts.get(id)?.read ?? cache.get(id)?.read ?? (read || pending.allRead));
      }
    }
    // Taken from the front without copying: at the cap this runs for every new call.
    const picked: Array<{ id: string; read: boolean }> = [];
    for (const [id, read] of nextOldest) {
      if (picked.length === count) return picked;
      picked.push({ id, read });
    }
    for (const id of pending.added) {
      if (picked.length === count) break;
      picked.push({ id, read: pending.upserts.get(id)?.read ?? true });
    }
    return picked;
  }

  function remove(calls: ReadonlyArray<{ id: string; read: boolean }>): void {
    for (const { id, read } of calls) {
      callIndex.remove(id);
      if (!read) unread -= 1;
      total -= 1;
      nextOldest.delete(id);
      cache.delete(id);
      pending.upserts.delete(id);
      if (!pending.added.delete(id)) pending.removed.add(id);
    }
  }

  /** Drops the oldest calls past the cap; kept aside first when the cap was lowered (nothing lost silently). */
  function evictBeyondLimit(reason?: string): string[] {
    if (total <= limit) return [];
    const evicted = oldest(total - limit);
    if (reason)
      database.keepAside(
        evicted.flatMap(({ id }) => get(id) ?? []),
        reason,
      );
    remove(evicted);
    return evicted.map(({ id }) => id);
  }

  function changed(change: HistoryChange): void {
    scheduleFlush();
    // Listeners are views (window, tray): one that fails must not fail the event that changed the history.
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error('a history listener failed', { change: change.type, error: String(error) });
      }
    }
  }

  function scheduleFlush(delay = flushDelayMs): void {
    if (flushTimer) return;
    flushTimer = setTimeout(flush, delay);
    flushTimer.unref();
  }

  function report(next: SaveState): void {
    const wasSaved = saveState.saved;
    saveState = next;
    if (wasSaved !== next.saved) onSaveState?.(next);
  }

  /** Writes what changed. False when the disk refused: the changes stay pending and are retried. */
  function flush(): boolean {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    const { cleared, allRead, upserts, removed, eventKeys } = pending;
    if (!cleared && !allRead && upserts.size === 0 && removed.size === 0 && eventKeys.length === 0) return saveState.saved;
    try {
      database.write({ cleared, allRead, upserts: [...upserts.values()], removed: [...removed], eventKeys });
    } catch (error) {
      const message = errorMessage(error);
      if (saveState.saved) log.error('the call history could not be saved; will retry', { file: database.filePath, error: message });
      report({ saved: false, error: message, unsaved: upserts.size });
      scheduleFlush(retryDelaysMs[Math.min(failures++, retryDelaysMs.length - 1)]);
      return false;
    }
    pending = nothingPending();
    if (notSavedBecause) return false;
    if (!saveState.saved) log.info('the call history is saved again', { file: database.filePath });
    failures = 0;
    report({ saved: true });
    return true;
  }

  function upsert(call: CallRecord): void {
    const before = get(call.id);
    if (!before) {
      total += 1;
      pending.added.add(call.id);
    }
    if ((before?.read ?? true) !== call.read) unread += call.read ? -1 : 1;
    if (nextOldest.has(call.id)) nextOldest.set(call.id, call.read);
    callIndex.add(call.id, { caller: call.from?.digits, conversationId: call.conversationId, startedAt: call.startedAt });
    remember(call);
    pending.upserts.set(call.id, call);
  }

  if (total > limit) evictBeyondLimit(`the history holds ${total} calls, more than the ${limit} kept`);

  /** Reads the next chunk of ids into the indexes: true once every id is known, or none can be read. */
  function readIds(): boolean {
    if (allIdsKnown || idsUnreadable) return true;
    try {
      const { calls, last } = database.idsAfter(idsReadUpTo, idChunk);
      for (const call of calls) if (!pending.removed.has(call.id)) callIndex.add(call.id, call);
      idsReadUpTo = last ?? idsReadUpTo;
      allIdsKnown = calls.length < idChunk;
      return allIdsKnown;
    } catch (error) {
      // A damaged file must not stop the calls: they ring and are kept as ever, without what the rest would have said.
      idsUnreadable = true;
      log.error(
        "the history could not read all its calls: popups may not count a caller's older calls, nor older calls take their later events",
        { file: database.filePath, error: String(error) },
      );
      return true;
    }
  }

  /**
   * The index answers only once every id is read: a conversation's calls asked for before that
   * (just after opening a large history) finish the reading first, once.
   */
  function readAllIds(): void {
    for (let done = allIdsKnown; !done && !closed;) done = readIds();
  }

  /**
   * Reads every id a chunk at a time, each in a turn of its own, so opening stays fast at any
   * size: a history smaller than a chunk is read at once, a larger one from the next turn on (at
   * 100,000 calls a chunk costs ~20 ms, which start-up need not wait for).
   */
  async function readIdsInBackground(): Promise<void> {
    if (total >= idChunk) await nextTurn();
    while (!closed && !readIds()) await nextTurn();
  }
  void readIdsInBackground();

  return {
    get,
    size: (): number => total,

    /**
     * Every call, newest first, read page by page so the event loop keeps serving requests. What
     * is not written yet is laid over the pages, and what changes while they are read (a flush,
     * new calls, a clear) is applied at the end, from the same changes the window is pushed.
     */
    async list(): Promise<CallRecord[]> {
      const during: HistoryChange[] = [];
      listeners.add(record);
      try {
        flush();
        const notWritten = [...pending.added].reverse().flatMap((id) => pending.upserts.get(id) ?? []);
        const calls = new Map(notWritten.map((call) => [call.id, call]));
        const overlay = (call: CallRecord): CallRecord | undefined =>
          pending.removed.has(call.id) && !pending.upserts.has(call.id) ? undefined : (pending.upserts.get(call.id) ?? stored(call));
        for (let offset = 0; !pending.cleared; offset += listPageSize) {
          const page = database.page(offset, listPageSize);
          for (const call of page) if (!calls.has(call.id)) calls.set(call.id, overlay(call) as CallRecord);
          if (page.length < listPageSize) break;
          await nextTurn();
        }
        return applyChanges([...calls.values()].filter(Boolean), during);
      } finally {
        listeners.delete(record);
      }

      function record(change: HistoryChange): void {
        during.push(change);
      }
    },

    /** The calls of a conversation (one per agent its call rang), the earliest first. */
    inConversation(conversationId: string): CallRecord[] {
      readAllIds();
      const earliestFirst = [...callIndex.callsInConversation(conversationId)].sort(([, a], [, b]) => a - b);
      return earliestFirst.flatMap(([id]) => get(id) ?? []);
    },

    /**
     * A caller's calls (by the digits of their number): id -> start time. Undefined until every id
     * is read (about a second after opening 100,000 calls): a popup does not wait for it.
     */
    callerCalls(digits: string): ReadonlyMap<string, number> | undefined {
      return allIdsKnown ? callIndex.callsOfCaller(digits) : undefined;
    },

    upsert(call: CallRecord): void {
      upsert(call);
      const evicted = evictBeyondLimit();
      changed({ type: 'upserted', call });
      if (evicted.length > 0) changed({ type: 'removed', ids: evicted });
    },

    /** One change for any number of calls. */
    markRead(ids: readonly string[]): void {
      const marked = ids.flatMap((id) => {
        const call = get(id);
        if (!call || call.read) return [];
        upsert({ ...call, read: true });
        return [id];
      });
      if (marked.length > 0) changed({ type: 'read', ids: marked });
    },

    /** "Mark all read" on 100,000 calls: one statement, one push. */
    markAllRead(): void {
      if (unread === 0) return;
      const inDatabase =
        pending.cleared || pending.allRead ? [] : database.unreadIds().filter((id) => !pending.removed.has(id) && !pending.upserts.has(id));
      const marked = [...inDatabase, ...[...pending.upserts.values()].filter((call) => !call.read).map((call) => call.id)];
      for (const records of [cache, pending.upserts])
        for (const [id, call] of records) if (!call.read) records.set(id, { ...call, read: true });
      unread = 0;
      pending.allRead = true;
      for (const id of nextOldest.keys()) nextOldest.set(id, true);
      changed({ type: 'read', ids: marked });
    },

    unreadCount: (): number => unread,

    clear(): void {
      // Every id is known once the history is empty; a reading of ids still running stops.
      allIdsKnown = true;
      cache.clear();
      nextOldest.clear();
      callIndex.clear();
      pending = { ...nothingPending(), cleared: true, eventKeys: pending.eventKeys };
      total = 0;
      unread = 0;
      changed({ type: 'cleared' });
    },

    setMaxCalls(maxCallsNow: number): void {
      const lowered = maxCallsNow < limit;
      limit = maxCallsNow;
      const evicted = lowered ? evictBeyondLimit(`"calls kept" was lowered to ${limit}`) : [];
      if (evicted.length > 0) changed({ type: 'removed', ids: evicted });
    },

    /** Event keys seen lately, oldest first, so a redelivery after a restart is still a duplicate. */
    recentEventKeys: (): string[] => (closed ? [] : database.recentEventKeys()),
    rememberEventKey(key: string): void {
      pending.eventKeys.push(key);
      scheduleFlush();
    },

    saveState: (): SaveState => (saveState.saved ? saveState : { ...saveState, unsaved: notSavedBecause ? total : pending.upserts.size }),

    onChange(listener: (change: HistoryChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Writes pending changes now. */
    flush,

    /** Writes what is pending and closes the database: true when everything is on disk. */
    close(): boolean {
      if (closed) return closedSaved;
      closed = true;
      const saved = (closedSaved = flush());
      clearTimeout(flushTimer);
      listeners.clear();
      database.close();
      return saved;
    },
  };
}

/** A list brought up to date with the changes that happened while it was read, newest first. */
function applyChanges(calls: CallRecord[], changes: readonly HistoryChange[]): CallRecord[] {
  const byId = new Map(calls.map((call) => [call.id, call]));
  let added: CallRecord[] = [];
  for (const change of changes) {
    if (change.type === 'cleared') {
      byId.clear();
      added = [];
    } else if (change.type === 'removed') {
      for (const id of change.ids) byId.delete(id);
      added = added.filter((call) => !change.ids.includes(call.id));
    } else if (change.type === 'read') {
      const read = new Set(change.ids);
      for (const [id, call] of byId) if (read.has(id)) byId.set(id, { ...call, read: true });
      added = added.map((call) => (read.has(call.id) ? { ...call, read: true } : call));
    } else if (byId.has(change.call.id)) byId.set(change.call.id, change.call);
    else if (added.some((call) => call.id === change.call.id))
      added = added.map((call) => (call.id === change.call.id ? change.call : call));
    else added = [change.call, ...added];
  }
  return [...added, ...byId.values()];
}
