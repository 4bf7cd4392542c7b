import type { CallRecord } from './callRecord';
import { extensionOf } from './conversation';

/** What the pipeline asks a notifier to show. */
export type CallNotification =
  /** `callerHistory`: the caller's earlier calls on this desktop (`3rd call today · last one missed at 10:42`). */
  | { type: 'ringing'; call: CallRecord; callerHistory?: string }
  | { type: 'missed'; call: CallRecord; callerHistory?: string }
  /** A colleague answered the conversation this desktop's call was part of. */
  | { type: 'answered-elsewhere'; call: CallRecord }
  /** This desktop's agent declined the call. */
  | { type: 'declined'; call: CallRecord }
  | { type: 'summary'; calls: CallRecord[] }
  /** Calls that reached this desktop late (it slept, the network dropped): one notice for all. */
  | { type: 'away'; calls: CallRecord[] }
  /** The built-in tunnel came up on a new public URL: TeleCMI still posts to the old one. */
  | { type: 'url-changed'; url: string };

/** The notifier port: Electron's `Notification` and the terminal's JSON lines implement it. */
export interface Notifier {
  /** Must return at once: it runs while the webhook request is being answered. */
  notify(notification: CallNotification): void;
}

export interface NotificationText {
  title: string;
  body: string;
}

/** Custom fields worth a line in a notification: short, scalar values only. */
const maxCustomFieldsShown = 3;

export function describeNotification(notification: CallNotification): NotificationText {
  switch (notification.type) {
    case 'ringing':
      return {
        title: notification.call.callerNames ? callerOf(notification.call) : `Incoming call ${callerOf(notification.call)}`,
        body: detailsOf(notification.call, notification.callerHistory),
      };
    case 'missed':
      return {
        title: `Missed call ${callerOf(notification.call)}`,
        body: detailsOf(notification.call, notification.call.voicemail ? 'Left a voicemail' : notification.callerHistory),
      };
    case 'answered-elsewhere':
      return {
        title: `Answered by ${answererOf(notification.call)}`,
        body: [callerOf(notification.call), detailsOf(notification.call, undefined)].filter(Boolean).join('\n'),
      };
    case 'declined':
      return { title: `Declined call ${callerOf(notification.call)}`, body: detailsOf(notification.call, undefined) };
    case 'summary':
      return {
        title: `${notification.calls.length} new calls`,
        body: notification.calls.map(callerOf).join(', '),
      };
    case 'away': {
      const missed = notification.calls.filter((call) => call.state === 'missed').length;
      const count = notification.calls.length;
      return {
        title: `${count} ${count === 1 ? 'call' : 'calls'} while you were away`,
        body: [missed > 0 ? `${missed} missed` : 'none missed', notification.calls.slice(0, 5).map(callerOf).join(', ')].join(' · '),
      };
    }
    case 'url-changed':
      return {
        title: 'Your public webhook URL changed',
        body: `TeleCMI still posts to the old one. Copy the new URL (${notification.url}/telecmi/…) from Settings into the TeleCMI dashboard.`,
      };
  }
}

/** The colleague who answered: their name where one is known, else their extension (`205`). */
export function answererOf(call: Pick<CallRecord, 'answeredBy' | 'answeredByName'>): string {
  return call.answeredByName || (call.answeredBy ? extensionOf(call.answeredBy) : 'a colleague');
}

/** Who is calling: `Asha Rao · +91 98765 43210`, `2 contacts match · +91 98765 43210`, or the number. */
export function callerOf(call: Pick<CallRecord, 'from' | 'callerNames'>): string {
  const number = call.from?.display || 'Unknown caller';
  const names = call.callerNames ?? [];
  if (names.length === 0) return number;
  return `${names.length === 1 ? names[0] : `${names.length} contacts match`} · ${number}`;
}

function detailsOf(call: CallRecord, callerHistory: string | undefined): string {
  const several = call.callerNames && call.callerNames.length > 1 ? call.callerNames.join(' or ') : '';
  const who = [call.agent && `Agent ${call.agent}`, call.team && `Team ${call.team}`].filter(Boolean).join(' · ');
  const dialled = call.dialled ? `To ${call.dialled.display}` : '';
  return [callerHistory, several, who, dialled, ...customLines(call.custom)].filter(Boolean).join('\n');
}

function customLines(custom: CallRecord['custom']): string[] {
  if (custom === undefined || typeof custom === 'string') return [];
  return Object.entries(custom)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .slice(0, maxCustomFieldsShown)
    .map(([key, value]) => `${key}: ${String(value)}`);
}
