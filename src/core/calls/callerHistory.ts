import type { CallRecord } from './callRecord';

export interface CallerHistoryClock {
  now: Date;
  /** `10:42` in the desktop's locale. */
  formatTime: (time: Date) => string;
  /** `23 Nov` in the desktop's locale. */
  formatDay: (time: Date) => string;
}

export const localClock = (now = new Date()): CallerHistoryClock => ({
  now,
  formatTime: (time) => time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
  formatDay: (time) => time.toLocaleDateString(undefined, { day: 'numeric', month: 'short' }),
});

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

const outcomeOf: Record<CallRecord['state'], string> = { ringing: 'rang', answered: 'answered', ended: 'answered', missed: 'missed' };

/**
 * What this desktop knows of a caller, for the popup: `3rd call today · last one missed at 10:42`,
 * `first call today · last one answered on 23 Nov`, or `first call`. `earlier` are the caller's
 * other calls, newest first.
 */
export function describeCallerHistory(earlier: readonly CallRecord[], { now, formatTime, formatDay }: CallerHistoryClock): string {
  const [last] = earlier;
  if (!last) return 'first call';
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const today = earlier.filter((call) => call.startedAt >= midnight).length;
  const lastAt = new Date(last.startedAt);
  const when = last.startedAt >= midnight ? `at ${formatTime(lastAt)}` : `on ${formatDay(lastAt)}`;
  return `${today === 0 ? 'first' : ordinal(today + 1)} call today · last one ${outcomeOf[last.state]} ${when}`;
}
