import type { CallRecord } from './callRecord';
import type { CallStore } from './callStore';
import { answererOf } from './callNotification';

export interface CallerHistoryClock {
  now: Date;
  /** `10:42` in the desktop's locale. */
  formatTime: (time: Date) => string;
  /** `23 Nov` in the desktop's locale. */
  formatDay: (time: Date) => string;
}

// Made once: `toLocaleTimeString` builds a formatter at each call, which costs more than the rest of a popup.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export const localClock = (now = new Date()): CallerHistoryClock => ({
  now,
  formatTime: (time) => timeFormat.format(time),
  formatDay: (time) => dayFormat.format(time),
});

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

const outcomeOf = (last: Pick<CallRecord, 'state' | 'answeredBy' | 'answeredByName'>): string =>
  last.state === 'answered-elsewhere'
    ? `answered by ${answererOf(last)}`
    : { ringing: 'rang', answered: 'answered', ended: 'answered', declined: 'declined', missed: 'missed' }[last.state];

export const startOfDay = (now: Date): number => new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();

/**
 * What this desktop knows of a caller, for the popup: `3rd call today · last one missed at 10:42`,
 * `first call today · last one answered on 23 Nov`, or `first call`. From the caller's earlier
 * calls: how many started today, and the last of them.
 */
export function describeCallerHistory(
  { today, last }: { today: number; last?: Pick<CallRecord, 'state' | 'startedAt' | 'answeredBy' | 'answeredByName'> },
  { now, formatTime, formatDay }: CallerHistoryClock,
): string {
  if (!last) return 'first call';
  const midnight = startOfDay(now);
  const lastAt = new Date(last.startedAt);
  const when = last.startedAt >= midnight ? `at ${formatTime(lastAt)}` : `on ${formatDay(lastAt)}`;
  return `${today === 0 ? 'first' : ordinal(today + 1)} call today · last one ${outcomeOf(last)} ${when}`;
}

/**
 * The history line of a call's popup, from the caller's counters (constant time) and at most one
 * record; undefined for a call without a number, or while a large history is still being read
 * after opening (better no line than a wrong count).
 */
export function callerHistoryOf(
  call: CallRecord,
  history: Pick<CallStore, 'callerCounts' | 'get'>,
  clock: CallerHistoryClock,
): string | undefined {
  const counts = call.from?.digits ? history.callerCounts(call.from.digits, call, startOfDay(clock.now)) : undefined;
  if (!counts) return undefined;
  return describeCallerHistory({ today: counts.today, last: counts.lastId === undefined ? undefined : history.get(counts.lastId) }, clock);
}
