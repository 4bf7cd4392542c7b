import { appIdentity } from './appIdentity';
import type { AppStatus } from './appStatus';

export type TrayIcon = 'listening' | 'paused' | 'error' | 'unread';

export type MenuAction =
  | 'open-calls'
  | 'open-call-back'
  | 'pause-hour'
  | 'pause-tomorrow'
  | 'resume'
  | 'copy-webhook-url'
  | 'send-test-call'
  | 'check-connection'
  | 'toggle-start-at-login'
  | 'open-settings'
  | 'open-logs'
  | 'quit';

export type MenuItemModel =
  | { type: 'separator' }
  | { type: 'item'; label: string; action: MenuAction; enabled?: boolean }
  | { type: 'checkbox'; label: string; action: MenuAction; checked: boolean }
  | { type: 'submenu'; label: string; items: MenuItemModel[] };

export interface TrayView {
  icon: TrayIcon;
  tooltip: string;
  /** Shown as the macOS badge / menu bar title; elsewhere in the tooltip. */
  unread: number;
  menu: MenuItemModel[];
}

const separator: MenuItemModel = { type: 'separator' };

/** The tray as plain data: Electron's Tray and Menu only draw it (Linux desktops may hide clicks, so every action is in the menu). */
export function trayView(status: AppStatus, now: number): TrayView {
  const paused = status.pausedUntil !== null && now < status.pausedUntil;
  const listening = status.receiver.state === 'listening';
  const inTeam = status.team !== null;
  return {
    icon: trayIcon(status, paused),
    tooltip: tooltip(status, paused),
    unread: status.unread,
    menu: [
      { type: 'item', label: unreadLabel(status.unread), action: 'open-calls' },
      ...(status.toCallBack > 0 ? [{ type: 'item', label: `${status.toCallBack} to call back`, action: 'open-call-back' } as const] : []),
      separator,
      {
        type: 'submenu',
        label: paused ? `Paused until ${formatTime(status.pausedUntil ?? now, now)}` : 'Pause notifications',
        items: [
          { type: 'item', label: 'For 1 hour', action: 'pause-hour' },
          { type: 'item', label: 'Until tomorrow', action: 'pause-tomorrow' },
          { type: 'item', label: 'Resume', action: 'resume', enabled: paused },
        ],
      },
      // In team mode the team's server has the webhook URL; a test call is shown here only.
      ...(inTeam ? [] : [{ type: 'item', label: 'Copy webhook URL', action: 'copy-webhook-url', enabled: listening } as const]),
      {
        type: 'item',
        label: inTeam ? 'Show a test notification' : 'Send test call',
        action: 'send-test-call',
        enabled: listening || inTeam,
      },
      { type: 'item', label: 'Check connection…', action: 'check-connection' },
      separator,
      { type: 'checkbox', label: 'Start at login', action: 'toggle-start-at-login', checked: status.startAtLogin },
      { type: 'item', label: 'Settings…', action: 'open-settings' },
      { type: 'item', label: 'Open logs folder', action: 'open-logs' },
      separator,
      { type: 'item', label: `Quit ${appIdentity.productName}`, action: 'quit' },
    ],
  };
}

function trayIcon(status: AppStatus, paused: boolean): TrayIcon {
  const teamDown = status.team !== null && (status.team.state === 'offline' || status.team.teamServer === 'offline');
  if (status.receiver.state === 'error' || status.tunnel.state === 'offline' || !status.history.saved || teamDown) return 'error';
  if (paused) return 'paused';
  return status.unread > 0 ? 'unread' : 'listening';
}

function tooltip(status: AppStatus, paused: boolean): string {
  const { receiver, team } = status;
  const state = team
    ? teamLine(team)
    : receiver.state === 'error'
      ? `Not receiving calls: ${receiver.error ?? 'the receiver stopped'}`
      : receiver.state === 'listening'
        ? `Listening on ${receiver.origin ?? ''}/telecmi/…`
        : 'Starting…';
  const lines = [appIdentity.productName, state, ...tunnelLine(status)];
  if (!status.history.saved) lines.push(`Call history not saved: ${status.history.error}`);
  if (paused) lines.push('Notifications paused');
  if (status.unread > 0) lines.push(unreadLabel(status.unread));
  if (status.toCallBack > 0) lines.push(`${status.toCallBack} to call back`);
  return lines.join('\n');
}

function tunnelLine({ tunnel }: AppStatus): string[] {
  if (tunnel.state === 'online') return [`Tunnel online: ${tunnel.url}`];
  if (tunnel.state === 'offline') return [`Tunnel offline: ${tunnel.reason}`];
  if (tunnel.state === 'connecting') return ['Tunnel connecting…'];
  return [];
}

function teamLine(team: NonNullable<AppStatus['team']>): string {
  if (team.state === 'offline') return `Team server unreachable${team.reason ? `: ${team.reason}` : ''}`;
  if (team.state === 'connecting') return 'Connecting to the team server…';
  return team.teamServer === 'offline' ? 'Connected, but the team server is offline' : 'Receiving calls from the team server';
}

function unreadLabel(unread: number): string {
  if (unread === 0) return 'Open recent calls';
  return `Open recent calls (${unread} unread)`;
}

/** "14:30" today, "Tue 09:00" on another day. */
function formatTime(time: number, now: number): string {
  const date = new Date(time);
  const clock = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === date.toDateString()
    ? clock
    : `${date.toLocaleDateString(undefined, { weekday: 'short' })} ${clock}`;
}
