import type { CallRecord } from '../../core/calls/callRecord';
import { fill, h } from '../dom';
import { answererOf } from '../../core/calls/callNotification';
import { extensionOf } from '../../core/calls/conversation';
import { callBackSummary, callerName, dateTime, duration, stateSummary } from '../logic/format';
import type { Store } from '../store';

export interface CallDetailsActions {
  back(): void;
  copy(text: string): void;
  openCrm(callId: string): void;
}

const field = (label: string, value: string | number | undefined): HTMLElement | false =>
  value !== undefined && value !== '' && h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, String(value)));

/** Every field of one call, its custom fields, its timeline and the payloads as received. */
export function createCallDetailsView(store: Store, actions: CallDetailsActions) {
  const body = h('div', { class: 'details-body' });
  const element = h(
    'section',
    { class: 'view details-view', 'aria-label': 'Call details' },
    h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'back', onClick: () => actions.back() }, '← Calls')),
    body,
  );

  function render(call: CallRecord): void {
    const customRows =
      typeof call.custom === 'string'
        ? [field('custom', call.custom)]
        : Object.entries(call.custom ?? {}).map(([key, value]) => field(key, typeof value === 'string' ? value : JSON.stringify(value)));
    fill(
      body,
      h('h2', { class: 'caller-title' }, callerName(call)),
      h('p', { class: `badge ${call.callBack?.state === 'done' ? 'called-back' : call.state}` }, stateSummary(call)),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', disabled: !call.from, onClick: () => actions.copy(call.from?.display ?? '') }, 'Copy number'),
        h(
          'button',
          { type: 'button', disabled: !store.state.settings?.crmUrlTemplate, onClick: () => actions.openCrm(call.id) },
          'Open in CRM',
        ),
      ),
      h(
        'table',
        { class: 'fields' },
        h(
          'tbody',
          {},
          field(call.callerNames && call.callerNames.length > 1 ? 'Contacts' : 'Contact', call.callerNames?.join(', ')),
          field('Caller', call.from?.display),
          field('Caller digits', call.from?.digits),
          field('Dialled number', call.dialled?.display),
          field('Agent', call.agent),
          field('Team', call.team),
          field('App id', call.appId),
          field('Started', dateTime(call.startedAt)),
          field('Answered', call.answeredAt && dateTime(call.answeredAt)),
          field('Ended', call.endedAt && dateTime(call.endedAt)),
          field('Talk time', call.durationSec !== undefined ? duration(call.durationSec) : undefined),
          field('Waited', call.waitedSec !== undefined ? `${call.waitedSec} s` : undefined),
          field('Hangup reason', call.hangupReason),
          field('Answered by', call.answeredBy && `${answererOf(call)} (${call.answeredBy})`),
          field('Voicemail', call.voicemail ? 'The caller left one' : undefined),
          field('Call back', callBackSummary(call.callBack)),
          field('Call id (leg B)', call.id),
          field('Conversation', call.conversationId),
        ),
      ),
      customRows.length > 0 && h('h3', {}, 'Custom fields'),
      customRows.length > 0 && h('table', { class: 'fields custom' }, h('tbody', {}, ...customRows)),
      h('h3', {}, 'Timeline'),
      h(
        'ol',
        { class: 'timeline' },
        ...call.timeline.map((entry) =>
          h('li', {}, h('time', {}, dateTime(entry.time)), ` ${entry.event}${entry.agent ? ` (${extensionOf(entry.agent)})` : ''}`),
        ),
      ),
      h(
        'details',
        { class: 'raw' },
        h('summary', {}, `Raw payloads (${call.events.length})`),
        h('pre', {}, JSON.stringify(call.events, null, 2)),
      ),
    );
  }

  return {
    element,
    update(): void {
      const call = store.state.calls.find((candidate) => candidate.id === store.state.selectedId);
      if (call) render(call);
      else fill(body, h('p', { class: 'empty' }, 'This call is no longer in the history.'));
    },
  };
}
