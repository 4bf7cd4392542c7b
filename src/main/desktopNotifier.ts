import { describeNotification, type CallNotification, type Notifier } from '../core/calls/callNotification';
import type { CallRecord } from '../core/calls/callRecord';
import type { Logger } from '../core/log/logger';
import type { ElectronDeps } from './electronDeps';
import { BoundedMap } from '../core/collections/boundedMap';

type Toast = InstanceType<ElectronDeps['Notification']>;

export interface DesktopNotifierOptions {
  Notification: ElectronDeps['Notification'];
  iconPath: string;
  /** Read at each notification, so a settings change applies to the next call. */
  playSound: () => boolean;
  /** A click opens the window on that call, the list (a summary) or Settings (a new URL). */
  onClick: (target: { view: 'calls' | 'settings'; callId?: string }) => void;
  /** The call's CRM link, when a template is set: offered as a notification button where the platform has them (macOS). */
  crmUrl: (call: CallRecord) => string | undefined;
  openExternal: (url: string) => void;
  platform: NodeJS.Platform;
  log: Logger;
}

/** Linux notification daemons read the body as markup: text from a webhook must stay text. */
const escapeMarkup = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Toasts kept alive (click handlers die with a collected Notification) and found again on update. */
const maxTracked = 50;

/** Native notifications. A call's verdict replaces its ringing toast: Electron cannot edit one in place. */
export function createDesktopNotifier({
  Notification,
  iconPath,
  playSound,
  onClick,
  crmUrl,
  openExternal,
  platform,
  log,
}: DesktopNotifierOptions): Notifier {
  const toasts = new BoundedMap<string, Toast>(maxTracked);

  function track(key: string, toast: Toast): void {
    toasts.get(key)?.close();
    toasts.set(key, toast);
  }

  return {
    notify(notification: CallNotification): void {
      if (!Notification.isSupported()) {
        log.warn('this desktop does not support notifications');
        return;
      }
      const { title, body } = describeNotification(notification);
      // A call's later word (missed, declined, answered by a colleague) replaces its ringing toast.
      const callId = 'call' in notification ? notification.call.id : undefined;
      const ringing = notification.type === 'ringing';
      const crm = notification.type === 'ringing' || notification.type === 'missed' ? crmUrl(notification.call) : undefined;
      const toast = new Notification({
        title,
        body: platform === 'linux' ? escapeMarkup(body) : body,
        icon: iconPath,
        // "Answered by a colleague" only tidies the screen: no sound for it.
        silent: !playSound() || notification.type === 'answered-elsewhere',
        urgency: ringing ? 'critical' : 'normal',
        timeoutType: ringing ? 'never' : 'default',
        ...(crm && { actions: [{ type: 'button' as const, text: 'Open in CRM' }] }),
      });
      if (crm) toast.on('action', () => openExternal(crm));
      toast.on('click', () => onClick(notification.type === 'url-changed' ? { view: 'settings' } : { view: 'calls', callId }));
      track(callId ?? `${notification.type}-${Date.now()}`, toast);
      toast.show();
    },
  };
}
