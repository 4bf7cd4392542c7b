import { answererOf } from '../../core/calls/callNotification';
import type { CallRecord, CallState } from '../../core/calls/callRecord';
import { extensionOf } from '../../core/calls/conversation';

export const stateLabels: Record<CallState, string> = {
  ringing: 'Ringing',
  answered: 'Answered',
  ended: 'Ended',
  'answered-elsewhere': 'Answered by a colleague',
  declined: 'Declined',
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

/** "Missed · voicemail", "Ended · 1:02", "Answered by Ravi", "Called back". */
export function stateSummary(
  call: Pick<CallRecord, 'state' | 'durationSec' | 'answeredBy' | 'answeredByName' | 'voicemail' | 'callBack'>,
): string {
  if (call.state === 'answered-elsewhere') return `Answered by ${answererOf(call)}`;
  if (call.callBack?.state === 'done') return 'Called back';
  const label = stateLabels[call.state];
  if (call.durationSec !== undefined && call.state === 'ended') return `${label} · ${duration(call.durationSec)}`;
  return call.voicemail ? `${label} · voicemail` : label;
}

/** Agent and team without TeleCMI's `_<app id>` suffix, and who called back: `204 · Sales · called back by 205`. */
export function whoAnswers(call: Pick<CallRecord, 'agent' | 'team' | 'callBack'>): string {
  const done = call.callBack?.state === 'done' ? call.callBack : undefined;
  const calledBack = done && (done.by ? `called back by ${done.byName ?? extensionOf(done.by)}` : 'called back');
  return [...[call.agent, call.team].filter(Boolean).map((id) => extensionOf(String(id))), calledBack].filter(Boolean).join(' · ');
}

/** Who called back, and when: `Ravi Kumar, 10:42 (called them)`. */
export function callBackSummary(callBack: CallRecord['callBack']): string | undefined {
  if (!callBack) return undefined;
  if (callBack.state === 'pending') return 'To call back';
  const who = callBack.by ? (callBack.byName ?? extensionOf(callBack.by)) : 'Marked done here';
  const how = { 'called-back': 'called them', 'called-again': 'they called again', marked: 'marked done' }[callBack.how];
  return `${who}, ${dateTime(callBack.at)} (${how})`;
}

/** The caller as the popup names them: `Asha Rao · +91 98765 43210`, `2 contacts match · …`, or the number. */
export { callerOf as callerName } from '../../core/calls/callNotification';

export function dateTime(time: number): string {
  return new Date(time).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
