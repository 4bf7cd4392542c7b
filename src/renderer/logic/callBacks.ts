import type { CallRecord } from '../../core/calls/callRecord';

/** The calls missed by everyone, newest first, one per conversation (a ring-all to two of this desktop's agents is one caller). */
export function callsToCallBack(calls: readonly CallRecord[]): CallRecord[] {
  const seen = new Set<string>();
  return calls.filter((call) => {
    if (call.callBack?.state !== 'pending' || seen.has(call.conversationId)) return false;
    seen.add(call.conversationId);
    return true;
  });
}

/** Every call of these calls' conversations that waits to be called back: "Done" closes the conversation. */
export function callBackIdsOf(calls: readonly CallRecord[], chosen: readonly CallRecord[]): string[] {
  const conversations = new Set(chosen.map((call) => call.conversationId));
  return calls.filter((call) => call.callBack?.state === 'pending' && conversations.has(call.conversationId)).map((call) => call.id);
}
