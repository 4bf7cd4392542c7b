import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CallRecord, HistoryChange } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import type { CallDatabase, CallIndexEntry } from './callDatabase';
import type { SaveState } from './saveState';

export interface CallHistoryOptions {
  database: CallDatabase;
  maxCalls: number;
  log: Logger;
  /** Changes are written at most this often, so a burst of requests costs one transaction. */
  flushDelayMs?: number;
  /** Told when saving starts failing and when it works again. */
  onSaveState?: (state: SaveState) => void;
  /** Why the history can only be kept in memory (the data folder could not hold the database). */
  notSavedBecause?: string;
}

export type CallHistory = ReturnType<typeof createCallHistory>;

/** Records kept in memory besides the index: the calls the pipeline is likely to touch next. */
const cachedRecords = 2000;
const retryDelaysMs = [1000, 2000, 5000, 10_000, 30_000];
const listPageSize = 1000;

interface PendingWrite {
  cleared: boolean;
  allRead: boolean;
  upserts: Map<string, CallRecord>;
  removed: Set<string>;
  eventKeys: string[];
}

const nothingPending = (): PendingWrite => ({ cleared: false, allRead: false, upserts: new Map(), removed: new Set(), eventKeys: [] });

/**
 * The calls, newest first and capped. Every call's id, conversation and read flag are held in
 * memory (a Map keeps insertion order, so the oldest call is always the first key); whole records
 * live in the database, with the recently used ones cached. Changes are written in one
 * transaction per `flushDelayMs`; a failed write is kept, reported and retried.
 */
export function createCallHistory({ database, maxCalls, log, flushDelayMs = 250, onSaveState, notSavedBecause }: CallHistoryOptions) {
  const index = new Map<string, CallIndexEntry>();
  const idsByConversation = new Map<string, Set<string>>();
  const cache = new Map<string, CallRecord>();
  const listeners = new Set<(change: HistoryChange) => void>();
  let pending = nothingPending();
  let unread = 0;
  let limit = maxCalls;
  let flushTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let saveState: SaveState = notSavedBecause ? { saved: false, error: notSavedBecause, unsaved: 0 } : { saved: true };

  for (const entry of database.index()) addToIndex(entry);

  function addToIndex(entry: CallIndexEntry): void {
    index.set(entry.id, entry);
    if (!entry.read) unread += 1;
    const ids = idsByConversation.get(entry.conversationId) ?? new Set<string>();
    ids.add(entry.id);
    idsByConversation.set(entry.conversationId, ids);
  }

  function removeFromIndex(id: string): void {
    const entry = index.get(id);
    if (!entry) return;
    index.delete(id);
    cache.delete(id);
    pending.upserts.delete(id);
    pending.removed.add(id);
    if (!entry.read) unread -= 1;
    const ids = idsByConversation.get(entry.conversationId);
    ids?.delete(id);
    if (ids?.size === 0) idsByConversation.delete(entry.conversationId);
  }

  function remember(call: CallRecord): void {
    cache.delete(call.id);
    cache.set(call.id, call);
    if (cache.size > cachedRecords) cache.delete(cache.keys().next().value as string);
  }

  function get(id: string): CallRecord | undefined {
    const known = pending.upserts.get(id) ?? cache.get(id);
    if (known || !index.has(id)) return known;
    const stored = database.get(id);
    if (stored) remember(stored);
    return stored;
  }

  /** The oldest calls past the cap; kept aside first when the cap was lowered (nothing lost silently). */
  function evictBeyondLimit(reason?: string): string[] {
    const surplus = index.size - limit;
    if (surplus <= 0) return [];
    const oldest = [...index.keys()].slice(0, surplus);
    if (reason) {
      flush();
      database.keepAside(oldest.flatMap((id) => get(id) ?? []), reason);
    }
    oldest.forEach(removeFromIndex);
    return oldest;
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
      const message = error instanceof Error ? error.message : String(error);
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
    const entry = index.get(call.id);
    if (!entry) addToIndex({ id: call.id, conversationId: call.conversationId, read: call.read });
    else if (entry.read !== call.read) {
      unread += call.read ? -1 : 1;
      index.set(call.id, { ...entry, read: call.read });
    }
    remember(call);
    pending.removed.delete(call.id);
    pending.upserts.set(call.id, call);
  }

  if (index.size > limit) evictBeyondLimit(`the history holds ${index.size} calls, more than the ${limit} kept`);

  return {
    get,
    size: (): number => index.size,

    /** Every call, newest first, read page by page so the event loop keeps serving requests. */
    async list(): Promise<CallRecord[]> {
      if (!flush()) return [...index.keys()].reverse().flatMap((id) => pending.upserts.get(id) ?? cache.get(id) ?? []);
      // Calls that arrive between pages push the older ones down a page: each call is taken once.
      const calls = new Map<string, CallRecord>();
      for (let offset = 0; offset < index.size; offset += listPageSize) {
        for (const call of database.page(offset, listPageSize)) if (!calls.has(call.id)) calls.set(call.id, call);
        await nextTurn();
      }
      return [...calls.values()].filter((call) => index.has(call.id)).map((call) => pending.upserts.get(call.id) ?? cache.get(call.id) ?? call);
    },

    inConversation(conversationId: string): CallRecord[] {
      return [...(idsByConversation.get(conversationId) ?? [])].flatMap((id) => get(id) ?? []);
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
        const call = index.get(id)?.read === false ? get(id) : undefined;
        if (!call) return [];
        upsert({ ...call, read: true });
        return [id];
      });
      if (marked.length > 0) changed({ type: 'read', ids: marked });
    },

    /** "Mark all read" on 100,000 calls: one statement, one push. */
    markAllRead(): void {
      const marked = [...index.values()].filter((entry) => !entry.read).map((entry) => entry.id);
      if (marked.length === 0) return;
      for (const id of marked) index.set(id, { ...(index.get(id) as CallIndexEntry), read: true });
      for (const records of [cache, pending.upserts]) for (const [id, call] of records) records.set(id, { ...call, read: true });
      unread = 0;
      pending.allRead = true;
      changed({ type: 'read', ids: marked });
    },

    unreadCount: (): number => unread,

    clear(): void {
      index.clear();
      idsByConversation.clear();
      cache.clear();
      pending = { ...nothingPending(), cleared: true, eventKeys: pending.eventKeys };
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
    recentEventKeys: (): string[] => database.recentEventKeys(),
    rememberEventKey(key: string): void {
      pending.eventKeys.push(key);
      scheduleFlush();
    },

    saveState: (): SaveState => (saveState.saved ? saveState : { ...saveState, unsaved: notSavedBecause ? index.size : pending.upserts.size }),

    onChange(listener: (change: HistoryChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Writes pending changes now. */
    flush,

    /** Writes what is pending and closes the database: true when everything is on disk. */
    close(): boolean {
      const saved = flush();
      clearTimeout(flushTimer);
      listeners.clear();
      database.close();
      return saved;
    },
  };
}
