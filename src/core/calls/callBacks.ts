import type { CallBack, CallRecord } from './callRecord';
import type { CallStore } from './callStore';

export type CallBackDone = Extract<CallBack, { state: 'done' }>;

/**
 * Marks calls as called back: an agent's outgoing call to the number started, the caller called
 * again and someone answered, or a person said so. Calls not (or no longer) due are left alone.
 */
export function completeCallBacks(store: Pick<CallStore, 'get' | 'upsert'>, ids: readonly string[], done: CallBackDone): CallRecord[] {
  return ids.flatMap((id) => {
    const call = store.get(id);
    if (call?.callBack?.state !== 'pending') return [];
    const after = { ...call, callBack: done };
    store.upsert(after);
    return [after];
  });
}
