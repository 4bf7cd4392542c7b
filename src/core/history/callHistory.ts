import type { CallRecord, HistoryChange } from '../calls/callRecord';
import { BoundedMap } from '../collections/boundedMap';
import type { Logger } from '../log/logger';
import type { CallDatabase } from './callDatabase';
import { createCallBackIndex } from './callBackIndex';
import { createCallIndex } from './callIndex';
import type { CallerCounts } from '../calls/callStore';
import { createIdReader } from './idReader';
import { listCalls } from './listCalls';
import { createOldestCalls } from './oldestCalls';
import type { SaveState } from './saveState';
import { createWriteBuffer } from './writeBuffer';

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

/**
 * The calls, newest first and capped. The database holds them; memory holds what changed since
 * the last write, the recently used records and two counts, so opening costs the same at ten
 * calls or a hundred thousand. Changes are written in one transaction per `flushDelayMs`; a
 * failed write is kept, reported and retried.
 */
export function createCallHistory({ database, maxCalls, log, flushDelayMs = 50, onSaveState, notSavedBecause }: CallHistoryOptions) {
  const cache = new BoundedMap<string, CallRecord>(cachedRecords);
  /** Every call's id, and each caller's and each conversation's calls, learnt with the ids: the database has no index on them. */
  const callIndex = createCallIndex();
  const listeners = new Set<(change: HistoryChange) => void>();
  /** The calls to call back, by caller: few, read through their own index at opening. */
  const callBacks = createCallBackIndex(database.callBacksDue());
  const writes = createWriteBuffer({ database, log, flushDelayMs, onSaveState, notSavedBecause });
  let { total, unread } = database.counts();
  let limit = maxCalls;
  let closed = false;
  let closedSaved = false;
  /** Every call's id, read in the background after opening: until then, the database is asked about an unknown one. */
  const ids = createIdReader({
    database,
    index: callIndex,
    isRemoved: (id) => writes.pending.removed.has(id),
    isClosed: () => closed,
    log,
  });

  const oldestCalls = createOldestCalls({
    database,
    pending: () => writes.pending,
    knownRead: (id) => writes.pending.upserts.get(id)?.read ?? cache.get(id)?.read,
    log,
  });

  function remember(call: CallRecord): CallRecord {
    cache.set(call.id, call);
    return call;
  }

  /** What the database says, seen through the changes not yet written. */
  function stored(call: CallRecord | undefined): CallRecord | undefined {
    const { pending } = writes;
    if (!call || pending.removed.has(call.id)) return undefined;
    return pending.allRead && !call.read ? { ...call, read: true } : call;
  }

  function get(id: string): CallRecord | undefined {
    const { pending } = writes;
    const known = pending.upserts.get(id) ?? cache.get(id);
    if (known || pending.cleared || pending.removed.has(id) || (!callIndex.has(id) && !ids.mayBeStored(id))) return known;
    const call = stored(database.get(id));
    return call && remember(call);
  }

  function remove(calls: ReadonlyArray<{ id: string; read: boolean }>): void {
    const { pending } = writes;
    for (const { id, read } of calls) {
      callIndex.remove(id);
      callBacks.remove(id);
      if (!read) unread -= 1;
      total -= 1;
      oldestCalls.delete(id);
      cache.delete(id);
      pending.upserts.delete(id);
      if (!pending.added.delete(id)) pending.removed.add(id);
    }
  }

  /** Drops the oldest calls past the cap; kept aside first when the cap was lowered (nothing lost silently). */
  function evictBeyondLimit(reason?: string): string[] {
    if (total <= limit) return [];
    const evicted = oldestCalls.take(total - limit);
    if (reason)
      database.keepAside(
        evicted.flatMap(({ id }) => get(id) ?? []),
        reason,
      );
    remove(evicted);
    return evicted.map(({ id }) => id);
  }

  function changed(change: HistoryChange): void {
    writes.schedule();
    // Listeners are views (window, tray): one that fails must not fail the event that changed the history.
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error('a history listener failed', { change: change.type, error: String(error) });
      }
    }
  }

  function upsert(call: CallRecord): void {
    const before = get(call.id);
    if (!before) {
      total += 1;
      writes.pending.added.add(call.id);
    }
    if ((before?.read ?? true) !== call.read) unread += call.read ? -1 : 1;
    oldestCalls.update(call.id, call.read);
    callIndex.add(call.id, { caller: call.from?.digits, conversationId: call.conversationId, startedAt: call.startedAt });
    callBacks.update(call);
    remember(call);
    writes.pending.upserts.set(call.id, call);
  }

  if (total > limit) evictBeyondLimit(`the history holds ${total} calls, more than the ${limit} kept`);
  // At the cap, the first new call evicts: what it evicts is read ahead, not waited for then.
  if (total >= limit) oldestCalls.readAhead();
  void ids.readInBackground(total);

  return {
    get,
    size: (): number => total,

    /** The newest calls, newest first: those not written yet, then the database's, seen through what is pending. */
    async recent(count: number): Promise<CallRecord[]> {
      if (closed) return [];
      const page = writes.pending.cleared ? [] : await database.pageLater(0, count);
      // Seen through what is pending now, after the wait.
      const { pending } = writes;
      const notWritten = [...pending.added].reverse().flatMap((id) => pending.upserts.get(id) ?? []);
      const written = pending.cleared ? [] : page.flatMap((call) => pending.upserts.get(call.id) ?? stored(call) ?? []);
      const calls = new Map([...notWritten, ...written].map((call) => [call.id, call]));
      return [...calls.values()].slice(0, count);
    },

    /** Every call, newest first (see `listCalls`). */
    list: (): Promise<CallRecord[]> =>
      listCalls({
        database,
        writes,
        stored,
        watch: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      }),

    /**
     * The calls of a conversation (one per agent its call rang), the earliest first. The index
     * answers in full only once every id is read: asked for before that, the conversation's calls
     * are looked up first, unless only what is known is wanted (a new call's popup must not wait).
     */
    inConversation(conversationId: string, { complete = true }: { complete?: boolean } = {}): CallRecord[] {
      if (complete) ids.learnConversation(conversationId);
      const earliestFirst = [...callIndex.callsInConversation(conversationId)].sort(([, a], [, b]) => a - b);
      return earliestFirst.flatMap(([id]) => get(id) ?? []);
    },

    allKnown: (): Promise<void> => ids.done(),

    /** What a popup says of a caller, from counters (constant time); undefined until every id is read (about a second after opening 100,000 calls): a popup does not wait for it. */
    callerCounts(digits: string, call: { conversationId: string; startedAt: number }, midnight: number): CallerCounts | undefined {
      return ids.allKnown() ? callIndex.callerCounts(digits, call, midnight) : undefined;
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
      const { pending } = writes;
      const inDatabase =
        pending.cleared || pending.allRead ? [] : database.unreadIds().filter((id) => !pending.removed.has(id) && !pending.upserts.has(id));
      const marked = [...inDatabase, ...[...pending.upserts.values()].filter((call) => !call.read).map((call) => call.id)];
      for (const records of [cache, pending.upserts])
        for (const [id, call] of records) if (!call.read) records.set(id, { ...call, read: true });
      unread = 0;
      writes.markAllRead();
      oldestCalls.markAllRead();
      changed({ type: 'read', ids: marked });
    },

    unreadCount: (): number => unread,

    /** The calls to call back from this caller, and how many there are in all. */
    callBacksDue: (digits: string): string[] => callBacks.of(digits),
    callBackCount: (): number => callBacks.size(),

    clear(): void {
      // Every id is known once the history is empty; a reading of ids still running stops.
      ids.markAllKnown();
      cache.clear();
      oldestCalls.clear();
      callIndex.clear();
      callBacks.clear();
      writes.clearAll();
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
      writes.pending.eventKeys.push(key);
      writes.schedule();
    },

    saveState: (): SaveState => writes.saveState(total),

    onChange(listener: (change: HistoryChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Writes pending changes now. */
    flush: (): boolean => writes.flush(),

    /** Writes what is pending and closes the database: true when everything is on disk. */
    close(): boolean {
      if (closed) return closedSaved;
      closed = true;
      const saved = (closedSaved = writes.flush());
      writes.stop();
      listeners.clear();
      database.close();
      return saved;
    },
  };
}
