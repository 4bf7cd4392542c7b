import type { CallRecord } from '../../core/calls/callRecord';

/** How a conversation ended for this desktop: answered by its agent, by a colleague, by nobody, or not yet. */
export type Outcome = 'mine' | 'colleagues' | 'missed' | 'other';
export const outcomes: readonly Outcome[] = ['mine', 'colleagues', 'missed', 'other'];

export interface HourOfCalls extends Record<Outcome, number> {
  hour: number;
}

export interface TodaySummary extends Record<Outcome, number> {
  hours: HourOfCalls[];
  calls: number;
  /** Seconds from ringing to answer, over the calls answered here whose events tell both; undefined without any. */
  averageAnswerSec: number | undefined;
}

const startOfDay = (now: number): number => {
  const day = new Date(now);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate()).getTime();
};

/** A conversation's outcome from this desktop's legs of it: one answered here outranks a colleague's answer, which outranks a miss. */
function outcomeOf(calls: readonly CallRecord[]): Outcome {
  if (calls.some((call) => call.state === 'answered' || call.state === 'ended')) return 'mine';
  if (calls.some((call) => call.state === 'answered-elsewhere' || call.answeredBy !== undefined)) return 'colleagues';
  if (calls.some((call) => call.state === 'missed' || call.state === 'declined')) return 'missed';
  return 'other';
}

/**
 * Today's conversations per local hour (a caller ringing two of this desktop's agents is one). The
 * list is newest first, so reading stops at the first call of an earlier day: the cost is today's
 * calls, not the history's.
 */
export function summariseToday(calls: readonly CallRecord[], now: number): TodaySummary {
  const midnight = startOfDay(now);
  const conversations = new Map<string, CallRecord[]>();
  for (const call of calls) {
    if (call.receivedAt < midnight) break;
    if (call.startedAt < midnight) continue;
    conversations.set(call.conversationId, [...(conversations.get(call.conversationId) ?? []), call]);
  }
  const hours: HourOfCalls[] = Array.from({ length: 24 }, (_, hour) => ({ hour, mine: 0, colleagues: 0, missed: 0, other: 0 }));
  let answerWaits = 0;
  let answeredWithTimes = 0;
  for (const legs of conversations.values()) {
    const startedAt = Math.min(...legs.map((call) => call.startedAt));
    (hours[new Date(startedAt).getHours()] as HourOfCalls)[outcomeOf(legs)] += 1;
    const answered = legs.find((call) => call.answeredAt !== undefined && call.answeredAt >= call.startedAt);
    if (answered?.answeredAt !== undefined) {
      answerWaits += answered.answeredAt - answered.startedAt;
      answeredWithTimes += 1;
    }
  }
  const total = (outcome: Outcome): number => hours.reduce((sum, hour) => sum + hour[outcome], 0);
  return {
    hours,
    calls: conversations.size,
    mine: total('mine'),
    colleagues: total('colleagues'),
    missed: total('missed'),
    other: total('other'),
    averageAnswerSec: answeredWithTimes > 0 ? Math.round(answerWaits / answeredWithTimes / 1000) : undefined,
  };
}
