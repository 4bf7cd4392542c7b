/**
 * Each caller's calls (id -> start time, in no particular order: a late event can add an older
 * call), so what the popup says of a caller is a map read and a new caller costs no database
 * query. Kept by the history as calls come and go.
 */
export function createCallerIndex() {
  const callsByCaller = new Map<string, Map<string, number>>();
  const callerById = new Map<string, string>();
  const none: ReadonlyMap<string, number> = new Map();

  return {
    add(id: string, caller: string | null | undefined, startedAt: number): void {
      if (!caller || callerById.has(id)) return;
      callerById.set(id, caller);
      const calls = callsByCaller.get(caller);
      if (calls) calls.set(id, startedAt);
      else callsByCaller.set(caller, new Map([[id, startedAt]]));
    },

    remove(id: string): void {
      const caller = callerById.get(id);
      if (caller === undefined) return;
      callerById.delete(id);
      const calls = callsByCaller.get(caller);
      calls?.delete(id);
      if (calls?.size === 0) callsByCaller.delete(caller);
    },

    callsOf: (caller: string): ReadonlyMap<string, number> => callsByCaller.get(caller) ?? none,

    clear(): void {
      callsByCaller.clear();
      callerById.clear();
    },
  };
}
