import type { CallRecord } from '../../core/calls/callRecord';
import { h } from '../dom';
import { callerName, relativeTime, stateLabels, stateSummary, whoAnswers } from '../logic/format';

/** How a call's badge is coloured: by its state, and grey once called back. */
const badgeClass = (call: CallRecord): string => (call.callBack?.state === 'done' ? 'called-back' : call.state);

/** One call in a list: caller, when, agent and team (and who called back), what became of it. */
export function callRow(call: CallRecord, now: number, open: () => void): HTMLElement {
  return h(
    'button',
    {
      class: `row state-${call.state}${call.read ? '' : ' unread'}`,
      role: 'listitem',
      'data-call-id': call.id,
      'aria-label': `${callerName(call)}, ${stateLabels[call.state]}${call.read ? '' : ', unread'}`,
      onClick: open,
    },
    h('span', { class: 'caller' }, callerName(call)),
    h('time', { class: 'when', datetime: new Date(call.startedAt).toISOString() }, relativeTime(call.startedAt, now)),
    h('span', { class: 'who' }, whoAnswers(call) || '—'),
    h('span', { class: `badge ${badgeClass(call)}` }, stateSummary(call)),
  );
}
