import type { CallRecord, HistoryChange } from '../calls/callRecord';
import type { Logger } from '../log/logger';

/** The persistence port: where the history is kept between runs. */
export interface HistoryStore {
  /** The saved calls, newest first; what cannot be read is reported by the store, not thrown. */
  load(): CallRecord[];
  /** Replaces what is saved with these calls, newest first. */
  save(calls: readonly CallRecord[]): void;
}

export interface CallHistoryOptions {
  store: HistoryStore;
  maxCalls: number;
  log: Logger;
  /** Changes are written at most this often, so a burst of requests costs one write. */
  flushDelayMs?: number;
}

export type CallHistory = ReturnType<typeof createCallHistory>;

/**
 * The calls, newest first and capped, held in memory and written to the store in batches.
 * A Map keeps insertion order, so the oldest call is always the first key.
 */
export function createCallHistory({ store, maxCalls, log, flushDelayMs = 1000 }: CallHistoryOptions) {
  const calls = new Map<string, CallRecord>();
  const idsByConversation = new Map<string, Set<string>>();
  const listeners = new Set<(change: HistoryChange) => void>();
  let limit = maxCalls;
  let flushTimer: NodeJS.Timeout | undefined;

  for (const call of store.load().toReversed()) insert(call);
  evictBeyondLimit();

  function insert(call: CallRecord): void {
    calls.set(call.id, call);
    const ids = idsByConversation.get(call.conversationId) ?? new Set<string>();
    ids.add(call.id);
    idsByConversation.set(call.conversationId, ids);
  }

  function remove(id: string): void {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    const ids = idsByConversation.get(call.conversationId);
    ids?.delete(id);
    if (ids?.size === 0) idsByConversation.delete(call.conversationId);
  }

  function evictBeyondLimit(): string[] {
    const evicted: string[] = [];
    while (calls.size > limit) {
      const oldest = calls.keys().next().value as string;
      remove(oldest);
      evicted.push(oldest);
    }
    return evicted;
  }

  /** Listeners are views (window, tray): one that fails must not fail the event that changed the history. */
  function changed(change: HistoryChange): void {
    scheduleFlush();
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error('a history listener failed', { change: change.type, error: String(error) });
      }
    }
  }

  function scheduleFlush(): void {
    if (flushTimer) return;
    flushTimer = setTimeout(flush, flushDelayMs);
    flushTimer.unref();
  }

  function flush(): void {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    try {
      store.save(list());
    } catch (error) {
      log.error('could not save the call history; will retry', { error: String(error) });
      scheduleFlush();
    }
  }

  function list(): CallRecord[] {
    return [...calls.values()].reverse();
  }

  return {
    get: (id: string): CallRecord | undefined => calls.get(id),
    size: (): number => calls.size,
    list,

    inConversation(conversationId: string): CallRecord[] {
      const ids = idsByConversation.get(conversationId) ?? [];
      return [...ids].map((id) => calls.get(id)).filter((call) => call !== undefined);
    },

    upsert(call: CallRecord): void {
      insert(call);
      const evicted = evictBeyondLimit();
      changed({ type: 'upserted', call });
      if (evicted.length > 0) changed({ type: 'removed', ids: evicted });
    },

    /** One change for any number of calls: "Mark all read" on 100,000 calls is one push. */
    markRead(ids: readonly string[]): void {
      const marked = ids.filter((id) => {
        const call = calls.get(id);
        if (!call || call.read) return false;
        calls.set(id, { ...call, read: true });
        return true;
      });
      if (marked.length > 0) changed({ type: 'read', ids: marked });
    },

    markAllRead(): void {
      this.markRead([...calls.keys()]);
    },

    unreadCount(): number {
      let unread = 0;
      for (const call of calls.values()) if (!call.read) unread += 1;
      return unread;
    },

    clear(): void {
      calls.clear();
      idsByConversation.clear();
      changed({ type: 'cleared' });
    },

    setMaxCalls(maxCallsNow: number): void {
      limit = maxCallsNow;
      const evicted = evictBeyondLimit();
      if (evicted.length > 0) changed({ type: 'removed', ids: evicted });
    },

    onChange(listener: (change: HistoryChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Writes pending changes now; call it on shutdown. */
    flush,

    close(): void {
      if (flushTimer) flush();
      listeners.clear();
    },
  };
}
