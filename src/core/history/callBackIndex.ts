import type { CallRecord } from '../calls/callRecord';

/** The calls to call back, by the caller's digits: found when the caller is called back or calls again. */
export function createCallBackIndex(initial: ReadonlyArray<{ id: string; caller: string | null }>) {
  const callerOf = new Map<string, string>();
  const byCaller = new Map<string, Set<string>>();

  function add(id: string, caller: string): void {
    callerOf.set(id, caller);
    const ids = byCaller.get(caller) ?? new Set<string>();
    ids.add(id);
    byCaller.set(caller, ids);
  }

  function remove(id: string): void {
    const caller = callerOf.get(id);
    if (caller === undefined) return;
    callerOf.delete(id);
    const ids = byCaller.get(caller);
    ids?.delete(id);
    if (ids?.size === 0) byCaller.delete(caller);
  }

  for (const { id, caller } of initial) if (caller) add(id, caller);

  return {
    /** Keeps a call's place current as it is saved. */
    update(call: CallRecord): void {
      if (call.callBack?.state === 'pending' && call.from?.digits) add(call.id, call.from.digits);
      else remove(call.id);
    },
    remove,
    of: (caller: string): string[] => [...(byCaller.get(caller) ?? [])],
    size: (): number => callerOf.size,
    clear(): void {
      callerOf.clear();
      byCaller.clear();
    },
  };
}
