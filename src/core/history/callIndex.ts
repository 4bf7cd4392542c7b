import { createCallerSummaries } from './callerSummaries';

/** A key's one call (most keys: its id), or its calls' ids. */
type KeyCalls = string | Set<string>;

/** What the index keeps of a call. */
export interface IndexedCall {
  caller: string | null | undefined;
  conversationId: string;
  startedAt: number;
}

/**
 * Every call of the history by id, and grouped by caller (the digits of their number) and by
 * conversation, each group told as id -> start time in no particular order (a late event can add
 * an older call). Finding a caller's or a conversation's calls is a map read: the database has no
 * index on them, since each such index is a page at a random place written per call. A group of
 * one call (most of them) is kept as its id, not a set: at 100,000 calls the index is built in the
 * background after opening, and each object it allocates is work for the garbage collector.
 */
export function createCallIndex() {
  const byId = new Map<string, IndexedCall>();
  const byCaller = new Map<string, KeyCalls>();
  const byConversation = new Map<string, KeyCalls>();
  const callsOfCaller = (digits: string): ReadonlyMap<string, IndexedCall> => calls(byCaller.get(digits));
  const callCountOf = (digits: string): number => {
    const group = byCaller.get(digits);
    return typeof group === 'string' ? 1 : (group?.size ?? 0);
  };
  const summaries = createCallerSummaries(callsOfCaller, callCountOf);

  return {
    add(id: string, call: IndexedCall): void {
      if (byId.has(id)) return;
      byId.set(id, call);
      join(byCaller, call.caller, id);
      join(byConversation, call.conversationId, id);
      summaries.add(id, call);
    },

    has: (id: string): boolean => byId.has(id),

    remove(id: string): void {
      const call = byId.get(id);
      if (!call) return;
      byId.delete(id);
      leave(byCaller, call.caller, id);
      leave(byConversation, call.conversationId, id);
      summaries.remove(id, call);
    },

    callsOfCaller,
    /** What a popup says of a caller (see `createCallerSummaries`): constant time. */
    callerCounts: summaries.countsFor,
    callsInConversation: (conversationId: string): ReadonlyMap<string, number> => startTimes(byConversation.get(conversationId)),

    clear(): void {
      byId.clear();
      byCaller.clear();
      byConversation.clear();
      summaries.clear();
    },
  };

  /** A group's calls as indexed. */
  function calls(group: KeyCalls | undefined): ReadonlyMap<string, IndexedCall> {
    const ids = typeof group === 'string' ? [group] : [...(group ?? [])];
    return new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id) as IndexedCall]] : [])));
  }

  /** A group's calls with their start times. */
  function startTimes(calls: KeyCalls | undefined): ReadonlyMap<string, number> {
    const ids = typeof calls === 'string' ? [calls] : [...(calls ?? [])];
    return new Map(ids.map((id) => [id, byId.get(id)?.startedAt ?? Number.NaN]));
  }
}

function join(groups: Map<string, KeyCalls>, key: string | null | undefined, id: string): void {
  if (!key) return;
  const calls = groups.get(key);
  if (calls === undefined) groups.set(key, id);
  else if (typeof calls === 'string') groups.set(key, new Set([calls, id]));
  else calls.add(id);
}

function leave(groups: Map<string, KeyCalls>, key: string | null | undefined, id: string): void {
  if (!key) return;
  const calls = groups.get(key);
  if (typeof calls === 'string') {
    if (calls === id) groups.delete(key);
  } else if (calls?.delete(id) && calls.size === 0) groups.delete(key);
}
export type CallIndex = ReturnType<typeof createCallIndex>;
