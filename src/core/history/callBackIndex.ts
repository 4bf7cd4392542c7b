import type { CallRecord } from '../calls/callRecord';
import { numberKey, sameNumber } from '../phone/phoneNumber';

/**
 * The calls to call back: counted by conversation (a ring-all to two of this desktop's agents is
 * one caller to return), found by the caller's number however it is written.
 */
export function createCallBackIndex(initial: ReadonlyArray<{ id: string; conversationId: string; caller: string | null }>) {
  const calls = new Map<string, { conversationId: string; caller: string | null }>();
  const byNumber = new Map<string, Set<string>>();
  const byConversation = new Map<string, Set<string>>();

  const join = (groups: Map<string, Set<string>>, key: string, id: string): void => {
    const ids = groups.get(key) ?? new Set<string>();
    ids.add(id);
    groups.set(key, ids);
  };
  const leave = (groups: Map<string, Set<string>>, key: string, id: string): void => {
    const ids = groups.get(key);
    ids?.delete(id);
    if (ids?.size === 0) groups.delete(key);
  };

  function add(id: string, conversationId: string, caller: string | null): void {
    calls.set(id, { conversationId, caller });
    join(byConversation, conversationId, id);
    if (caller) join(byNumber, numberKey(caller), id);
  }

  function remove(id: string): void {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    leave(byConversation, call.conversationId, id);
    if (call.caller) leave(byNumber, numberKey(call.caller), id);
  }

  for (const { id, conversationId, caller } of initial) add(id, conversationId, caller);

  return {
    /** Keeps a call's place current as it is saved. */
    update(call: CallRecord): void {
      remove(call.id);
      if (call.callBack?.state === 'pending') add(call.id, call.conversationId, call.from?.digits ?? null);
    },
    remove,
    /** The calls due from this caller, written as they may be (with or without a country code). */
    of: (caller: string): string[] =>
      [...(byNumber.get(numberKey(caller)) ?? [])].filter((id) => sameNumber(calls.get(id)?.caller ?? '', caller)),
    /** How many callers wait: one per conversation. */
    size: (): number => byConversation.size,
    clear(): void {
      calls.clear();
      byNumber.clear();
      byConversation.clear();
    },
  };
}
