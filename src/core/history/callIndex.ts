/** A key's one call (most keys), or its calls by id. */
type KeyCalls = readonly [id: string, startedAt: number] | Map<string, number>;

/**
 * Calls grouped by one of their fields (the caller's digits, the conversation): id -> start time,
 * in no particular order (a late event can add an older call). The history keeps one per field so
 * that finding a caller's or a conversation's calls is a map read: the database has no index on
 * them, since each index is a random page written per call. A key with one call is kept as a
 * pair, not a map: at 100,000 calls that is most of them, and a third of the memory.
 */
export function createCallIndex() {
  const callsByKey = new Map<string, KeyCalls>();
  const keyById = new Map<string, string>();

  return {
    add(id: string, key: string | null | undefined, startedAt: number): void {
      if (!key || keyById.has(id)) return;
      keyById.set(id, key);
      const calls = callsByKey.get(key);
      if (!calls) callsByKey.set(key, [id, startedAt]);
      else if (calls instanceof Map) calls.set(id, startedAt);
      else callsByKey.set(key, new Map([calls, [id, startedAt]]));
    },

    remove(id: string): void {
      const key = keyById.get(id);
      if (key === undefined) return;
      keyById.delete(id);
      const calls = callsByKey.get(key);
      if (calls instanceof Map) calls.delete(id);
      if (!(calls instanceof Map) || calls.size === 0) callsByKey.delete(key);
    },

    callsOf(key: string): ReadonlyMap<string, number> {
      const calls = callsByKey.get(key);
      return calls instanceof Map ? calls : new Map(calls ? [calls] : []);
    },

    clear(): void {
      callsByKey.clear();
      keyById.clear();
    },
  };
}
