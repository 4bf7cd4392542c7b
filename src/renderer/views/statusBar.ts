import { h } from '../dom';
import type { Store } from '../store';

/** Listening, paused or in error, with the reason and what to do. */
export function createStatusBar(store: Store, now: () => number) {
  const element = h('footer', { class: 'status', role: 'status', 'aria-live': 'polite' });
  return {
    element,
    update(): void {
      const { status, notice } = store.state;
      const receiver = status?.receiver;
      let text = 'Connecting to the app…';
      let tone = 'starting';
      if (receiver?.state === 'error') {
        tone = 'error';
        text = `Not receiving calls: ${receiver.error ?? 'the receiver stopped'}. Change the port in Settings.`;
      } else if (status?.team) {
        const { team } = status;
        tone =
          team.state === 'connected' && team.teamServer !== 'offline' ? 'listening' : team.state === 'connecting' ? 'starting' : 'error';
        text =
          team.state === 'offline'
            ? `Team server unreachable${team.reason ? `: ${team.reason}` : ''}. Retrying by itself; check the network, or the join code in Settings.`
            : team.state === 'connecting'
              ? 'Connecting to the team server…'
              : team.teamServer === 'offline'
                ? "Connected to the team's broker, but the team server is offline: calls arrive when it is back."
                : 'Receiving calls from the team server';
      } else if (status && !status.history.saved) {
        tone = 'error';
        text = `Calls are not being saved: ${status.history.error}. Notifications still work; check the disk and the data folder's rights (see the log).`;
      } else if (status?.pausedUntil && status.pausedUntil > now()) {
        tone = 'paused';
        const until = new Date(status.pausedUntil).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
        text = `Paused until ${until}: calls are kept, not shown. Resume from the tray menu.`;
      } else if (status?.tunnel.state === 'offline') {
        tone = 'error';
        text =
          `Tunnel offline: ${status.tunnel.reason}. ${status.tunnel.retryAt ? 'Retrying by itself; check the ngrok authtoken in Settings.' : ''}`.trim();
      } else if (receiver?.state === 'listening') {
        tone = 'listening';
        const tunnel =
          status?.tunnel.state === 'online' ? ` · tunnel online` : status?.tunnel.state === 'connecting' ? ' · tunnel connecting…' : '';
        text = `Listening on ${receiver.origin ?? ''}${tunnel}`;
      }
      element.className = `status ${tone}`;
      element.textContent = notice ? `${text} — ${notice}` : text;
    },
  };
}
