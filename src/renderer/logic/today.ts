import type { CallRecord } from '../../core/calls/callRecord';

export interface HourOfCalls {
  hour: number;
  answered: number;
  missed: number;
  /** Ringing now, or over without an answer or a verdict yet. */
  other: number;
}

export interface TodaySummary {
  hours: HourOfCalls[];
  calls: number;
  answered: number;
  missed: number;
  /** Seconds from ringing to answer, over the calls whose events tell both; undefined without any. */
  averageAnswerSec: number | undefined;
}

const startOfDay = (now: number): number => {
  const day = new Date(now);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate()).getTime();
};

/**
 * Today's calls per local hour. The list is newest first, so reading stops at the first call of
 * an earlier day: the cost is today's calls, not the history's.
 */
export function summariseToday(calls: readonly CallRecord[], now: number): TodaySummary {
  const midnight = startOfDay(now);
  const hours: HourOfCalls[] = Array.from({ length: 24 }, (_, hour) => ({ hour, answered: 0, missed: 0, other: 0 }));
  let answerWaits = 0;
  let answeredWithTimes = 0;
  for (const call of calls) {
    if (call.receivedAt < midnight) break;
    if (call.startedAt < midnight) continue;
    const slot = hours[new Date(call.startedAt).getHours()] as HourOfCalls;
    if (call.state === 'answered' || call.state === 'ended') slot.answered += 1;
    else if (call.state === 'missed') slot.missed += 1;
    else slot.other += 1;
    if (call.answeredAt !== undefined && call.answeredAt >= call.startedAt) {
      answerWaits += call.answeredAt - call.startedAt;
      answeredWithTimes += 1;
    }
  }
  const total = (key: 'answered' | 'missed' | 'other'): number => hours.reduce((sum, hour) => sum + hour[key], 0);
  const answered = total('answered');
  const missed = total('missed');
  return {
    hours,
    calls: answered + missed + total('other'),
    answered,
    missed,
    averageAnswerSec: answeredWithTimes > 0 ? Math.round(answerWaits / answeredWithTimes / 1000) : undefined,
  };
}
