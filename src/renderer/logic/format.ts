import type { CallRecord, CallState } from '../../core/calls/callRecord';

export const stateLabels: Record<CallState, string> = {
  ringing: 'Ringing',
  answered: 'Answered',
  ended: 'Ended',
  missed: 'Missed',
};

/** "just now", "5 min ago", "3 h ago", "yesterday", then the date. */
export function relativeTime(time: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const day = new Date(time);
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day.toDateString() === yesterday.toDateString()) return 'yesterday';
  return day.toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    year: day.getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric',
  });
}

/** Talk time as m:ss, or h:mm:ss past an hour. */
export function duration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** "Missed", "Ended · 1:02", "Answered". */
export function stateSummary(call: Pick<CallRecord, 'state' | 'durationSec'>): string {
  const label = stateLabels[call.state];
  return call.durationSec !== undefined && call.state === 'ended' ? `${label} · ${duration(call.durationSec)}` : label;
}

/** Agent and team without TeleCMI's `_<app id>` suffix: `204 · Sales`. */
export function whoAnswers(call: Pick<CallRecord, 'agent' | 'team'>): string {
  return [call.agent, call.team]
    .filter(Boolean)
    .map((id) => String(id).replace(/_\d+$/, ''))
    .join(' · ');
}

/** The caller as the popup names them: `Asha Rao · +91 98765 43210`, `2 contacts match · …`, or the number. */
export { callerOf as callerName } from '../../core/calls/callNotification';

export function dateTime(time: number): string {
  return new Date(time).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
