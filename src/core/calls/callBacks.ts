import { BoundedMap } from '../collections/boundedMap';
import { numberKey, sameNumber } from '../phone/phoneNumber';
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

/** What closes a call back: when, by whom, and (for a caller calling again) in which conversation. */
interface Closing {
  digits: string;
  at: number;
  by?: string;
  byName?: string;
  conversationId?: string;
}

/** Callers remembered: enough for a day of a call centre's answers and call backs. */
const callersKept = 20_000;

/**
 * The call backs of a desktop, whatever order their events come in: an answer to the caller's
 * later call, or an outgoing call to them, closes every call back due from before it, and one that
 * becomes due after the answer or the call back arrived is closed at once.
 */
export function createCallBackKeeper(store: Pick<CallStore, 'get' | 'upsert' | 'callBacksDue'>) {
  const answers = new BoundedMap<string, Closing>(callersKept);
  const calls = new BoundedMap<string, Closing>(callersKept);

  function remember(map: BoundedMap<string, Closing>, closing: Closing): void {
    const known = map.get(numberKey(closing.digits));
    if (!known || closing.at > known.at) map.set(numberKey(closing.digits), closing);
  }

  /** A call due is closed by what came after it started (and, for an answer, in another conversation). */
  const closes = (closing: Closing | undefined, call: CallRecord): closing is Closing =>
    closing !== undefined &&
    closing.at > call.startedAt &&
    closing.conversationId !== call.conversationId &&
    sameNumber(closing.digits, call.from?.digits ?? '');

  function close(closing: Closing, how: 'called-again' | 'called-back'): CallRecord[] {
    const due = store.callBacksDue(closing.digits).flatMap((id) => store.get(id) ?? []);
    const closed = due.filter((call) => closes(closing, call)).map((call) => call.id);
    const { at, by, byName } = closing;
    return completeCallBacks(store, closed, { state: 'done', ...(by && { by }), ...(byName && { byName }), at, how });
  }

  return {
    /** The caller's conversation was answered (by an agent, when known). */
    answered(closing: Closing): CallRecord[] {
      remember(answers, closing);
      return close(closing, 'called-again');
    },
    /** An agent's outgoing call to the number started. */
    calledBack(closing: Closing): CallRecord[] {
      remember(calls, closing);
      return close(closing, 'called-back');
    },
    /** A call just became due: what already closed it (it arrived first) closes it now. */
    becameDue(call: CallRecord): void {
      const digits = call.from?.digits;
      if (!digits) return;
      const calledBack = calls.get(numberKey(digits));
      const answered = answers.get(numberKey(digits));
      if (closes(calledBack, call)) close(calledBack, 'called-back');
      else if (closes(answered, call)) close(answered, 'called-again');
    },
  };
}
