import { fill, h } from '../dom';
import type { Store } from '../store';

/** The last requests the receiver answered: does TeleCMI reach us, and why was one refused? */
export function createRequestLogView(store: Store) {
  const body = h('tbody');
  const empty = h('p', { class: 'empty' });
  const element = h(
    'section',
    { class: 'view log-view', 'aria-label': 'Webhook log' },
    h('p', { class: 'hint' }, 'The last 200 requests the receiver answered, newest first.'),
    h(
      'table',
      { class: 'log' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Request'), h('th', {}, 'Status'), h('th', {}, 'Reason'))),
      body,
    ),
    empty,
  );
  return {
    element,
    update(): void {
      const entries = store.state.requestLog;
      empty.textContent =
        entries.length === 0 ? 'No request yet. Send a test call, or run the simulate command against your tunnel URL.' : '';
      empty.hidden = entries.length > 0;
      fill(
        body,
        ...entries.map((entry) =>
          h(
            'tr',
            { class: entry.status < 400 ? 'accepted' : 'refused' },
            h('td', {}, new Date(entry.time).toLocaleTimeString()),
            h('td', { class: 'path' }, `${entry.method} ${entry.path}`),
            h('td', {}, String(entry.status)),
            h('td', { class: 'reason' }, entry.reason ?? ''),
          ),
        ),
      );
    },
  };
}
