import type { CallRecord } from '../../core/calls/callRecord';
import { fill, h } from '../dom';
import { callerName } from '../logic/format';
import { callBackIdsOf, callsToCallBack } from '../logic/callBacks';
import type { Store } from '../store';
import { callRow } from './callRow';

export interface CallBackActions {
  open(callId: string): void;
  /** A person called them back (or otherwise dealt with them). */
  markDone(callIds: string[]): void;
}

/** Rows drawn at once: a list this long is worked through from the top. */
const maxRows = 500;

/** The callers missed by everyone, newest first, each with "Done"; a colleague's call back clears them. */
export function createCallBackView(store: Store, actions: CallBackActions, now: () => number) {
  const count = h('span', { class: 'count due', 'aria-live': 'polite' });
  const list = h('div', { class: 'call-back-list', role: 'list', 'aria-label': 'Calls to call back' });
  let due: CallRecord[] = [];
  const element = h(
    'section',
    { class: 'view call-back-view', 'aria-label': 'To call back' },
    h(
      'div',
      { class: 'actions one-line' },
      count,
      h('button', { type: 'button', onClick: () => due.length > 0 && actions.markDone(callBackIdsOf(store.state.calls, due)) }, 'All done'),
    ),
    list,
  );

  function entry(call: CallRecord): HTMLElement {
    return h(
      'div',
      { class: 'call-back-entry' },
      callRow(call, now(), () => actions.open(call.id)),
      h(
        'button',
        {
          type: 'button',
          class: 'done',
          'aria-label': `Called back ${callerName(call)}`,
          onClick: () => actions.markDone(callBackIdsOf(store.state.calls, [call])),
        },
        'Done',
      ),
    );
  }

  return {
    element,
    update(): void {
      due = callsToCallBack(store.state.calls);
      count.textContent = due.length === 0 ? 'Nobody to call back' : `${due.length} to call back`;
      fill(
        list,
        ...due.slice(0, maxRows).map(entry),
        due.length === 0 && h('p', { class: 'empty' }, 'Calls missed by everyone wait here until someone calls back.'),
      );
    },
  };
}
