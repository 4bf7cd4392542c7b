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
      } else if (status?.pausedUntil && status.pausedUntil > now()) {
        tone = 'paused';
        text = `Paused until ${new Date(status.pausedUntil).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}: calls are kept, not shown. Resume from the tray menu.`;
      } else if (receiver?.state === 'listening') {
        tone = 'listening';
        text = `Listening on ${receiver.origin ?? ''}`;
      }
      element.className = `status ${tone}`;
      element.textContent = notice ? `${text} — ${notice}` : text;
    },
  };
}
