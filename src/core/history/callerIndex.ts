/** A caller's one call (most callers), or their calls by id. */
type CallerCalls = readonly [id: string, startedAt: number] | Map<string, number>;

/**
 * Each caller's calls (id -> start time, in no particular order: a late event can add an older
 * call), so what the popup says of a caller is a map read and a new caller costs no database
 * query. Kept by the history as calls come and go. A caller with one call is kept as a pair, not
 * a map: at 100,000 calls that is most of them, and a third of the memory.
 */
export function createCallerIndex() {
  const callsByCaller = new Map<string, CallerCalls>();
  const callerById = new Map<string, string>();

  return {
    add(id: string, caller: string | null | undefined, startedAt: number): void {
      if (!caller || callerById.has(id)) return;
      callerById.set(id, caller);
      const calls = callsByCaller.get(caller);
      if (!calls) callsByCaller.set(caller, [id, startedAt]);
      else if (calls instanceof Map) calls.set(id, startedAt);
      else callsByCaller.set(caller, new Map([calls, [id, startedAt]]));
    },

    remove(id: string): void {
      const caller = callerById.get(id);
      if (caller === undefined) return;
      callerById.delete(id);
      const calls = callsByCaller.get(caller);
      if (calls instanceof Map) calls.delete(id);
      if (!(calls instanceof Map) || calls.size === 0) callsByCaller.delete(caller);
    },

    callsOf(caller: string): ReadonlyMap<string, number> {
      const calls = callsByCaller.get(caller);
      return calls instanceof Map ? calls : new Map(calls ? [calls] : []);
    },

    clear(): void {
      callsByCaller.clear();
      callerById.clear();
    },
  };
}
