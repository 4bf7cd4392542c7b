/** A key's one call (most keys), or its calls by id: id -> start time. */
type KeyCalls = readonly [id: string, startedAt: number] | Map<string, number>;

/** What the index keeps of a call. */
export interface IndexedCall {
  caller: string | null | undefined;
  conversationId: string;
  startedAt: number;
}

/**
 * Every call of the history by id, and grouped by caller (the digits of their number) and by
 * conversation, each group as id -> start time in no particular order (a late event can add an
 * older call). Finding a caller's or a conversation's calls is a map read: the database has no
 * index on them, since each such index is a page at a random place written per call. A group of
 * one call (most of them) is kept as a pair, not a map: at 100,000 calls that is a third of the memory.
 */
export function createCallIndex() {
  const byId = new Map<string, IndexedCall>();
  const byCaller = new Map<string, KeyCalls>();
  const byConversation = new Map<string, KeyCalls>();

  return {
    add(id: string, call: IndexedCall): void {
      if (byId.has(id)) return;
      byId.set(id, call);
      join(byCaller, call.caller, id, call.startedAt);
      join(byConversation, call.conversationId, id, call.startedAt);
    },

    has: (id: string): boolean => byId.has(id),

    remove(id: string): void {
      const call = byId.get(id);
      if (!call) return;
      byId.delete(id);
      leave(byCaller, call.caller, id);
      leave(byConversation, call.conversationId, id);
    },

    callsOfCaller: (digits: string): ReadonlyMap<string, number> => callsOf(byCaller, digits),
    callsInConversation: (conversationId: string): ReadonlyMap<string, number> => callsOf(byConversation, conversationId),

    clear(): void {
      byId.clear();
      byCaller.clear();
      byConversation.clear();
    },
  };
}

function join(groups: Map<string, KeyCalls>, key: string | null | undefined, id: string, startedAt: number): void {
  if (!key) return;
  const calls = groups.get(key);
  if (!calls) groups.set(key, [id, startedAt]);
  else if (calls instanceof Map) calls.set(id, startedAt);
  else groups.set(key, new Map([calls, [id, startedAt]]));
}

function leave(groups: Map<string, KeyCalls>, key: string | null | undefined, id: string): void {
  if (!key) return;
  const calls = groups.get(key);
  if (calls instanceof Map) calls.delete(id);
  if (!(calls instanceof Map) || calls.size === 0) groups.delete(key);
}

function callsOf(groups: Map<string, KeyCalls>, key: string): ReadonlyMap<string, number> {
  const calls = groups.get(key);
  return calls instanceof Map ? calls : new Map(calls ? [calls] : []);
}
