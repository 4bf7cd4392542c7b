import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import type { CallRecord, CallState } from '../../core/calls/callRecord';
import { h } from '../dom';
import { relativeTime, stateLabels } from '../logic/format';
import { callRow } from './callRow';
import { filterCalls } from '../logic/search';
import type { Store } from '../store';
import { createTodayChart } from './todayChart';

const rowHeight = 58;

export interface CallListActions {
  open(callId: string): void;
  markAllRead(): void;
  exportCsv(calls: CallRecord[]): void;
  sendTestCall(): void;
  clear(): void;
}

/** The recent calls: search, state filter, actions, and a virtualised list (10,000 rows stay smooth). */
export function createCallListView(store: Store, actions: CallListActions, now: () => number) {
  let visible: CallRecord[] = [];
  const search = h('input', {
    type: 'search',
    placeholder: 'Search name, number, agent…',
    'aria-label': 'Search calls',
    onInput: () => store.update({ filter: { ...store.state.filter, query: search.value } }),
  });
  const stateFilter = h(
    'select',
    {
      'aria-label': 'Filter by state',
      onChange: () => store.update({ filter: { ...store.state.filter, state: stateFilter.value as CallState | 'all' } }),
    },
    h('option', { value: 'all' }, 'All states'),
    ...Object.entries(stateLabels).map(([value, label]) => h('option', { value }, label)),
  );
  const count = h('span', { class: 'count', 'aria-live': 'polite' });
  const rows = h('div', { class: 'rows' });
  const empty = h('div', { class: 'empty' });
  const scroller = h('div', { class: 'list', role: 'list', 'aria-label': 'Recent calls' }, rows, empty);

  const virtualizer = new Virtualizer<HTMLDivElement, HTMLElement>({
    count: 0,
    getScrollElement: () => scroller,
    estimateSize: () => rowHeight,
    overscan: 6,
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    onChange: () => drawRows(),
  });

  /** Placed by `drawRows` through `element.style`: an inline style attribute breaks the CSP. */
  const row = (call: CallRecord): HTMLElement => callRow(call, now(), () => actions.open(call.id));

  /**
   * Rows are kept per call version and only moved, added or removed as the window scrolls:
   * rebuilding them all on each scroll event would be slow and would steal focus and clicks.
   */
  let drawn = new Map<CallRecord, HTMLElement>();
  function drawRows(): void {
    rows.style.height = `${virtualizer.getTotalSize()}px`;
    const next = new Map<CallRecord, HTMLElement>();
    virtualizer.getVirtualItems().forEach((item, position) => {
      const call = visible[item.index];
      if (!call) return;
      const element = drawn.get(call) ?? row(call);
      element.style.transform = `translateY(${item.start}px)`;
      (element.querySelector('.when') as HTMLElement).textContent = relativeTime(call.startedAt, now());
      if (rows.children[position] !== element) rows.insertBefore(element, rows.children[position] ?? null);
      next.set(call, element);
    });
    for (const [call, element] of drawn) if (!next.has(call)) element.remove();
    drawn = next;
  }

  function emptyMessage(): string {
    if (store.state.calls.length === 0) return 'No calls yet. Point TeleCMI at your webhook URL (Settings), or send a test call.';
    return 'No call matches this search.';
  }

  const today = createTodayChart(store, now);
  const element = h(
    'section',
    { class: 'view calls-view', 'aria-label': 'Recent calls' },
    today.element,
    h('div', { class: 'toolbar' }, search, stateFilter),
    // Short words, the whole of it in the tooltip: the row fits the 400 px window.
    h(
      'div',
      { class: 'actions one-line' },
      count,
      h('button', { type: 'button', title: 'Mark every call read', onClick: () => actions.markAllRead() }, 'Mark read'),
      h('button', { type: 'button', title: 'Export the calls shown as CSV', onClick: () => actions.exportCsv(visible) }, 'Export'),
      h('button', { type: 'button', title: 'Send a test call', onClick: () => actions.sendTestCall() }, 'Test'),
      h('button', { type: 'button', class: 'danger', title: 'Clear the whole history', onClick: () => actions.clear() }, 'Clear…'),
    ),
    scroller,
  );
  const cleanup = virtualizer._didMount();

  return {
    element,
    update(): void {
      visible = filterCalls(store.state.calls, store.state.filter);
      const unread = store.state.calls.filter((call) => !call.read).length;
      count.textContent = `${visible.length} of ${store.state.calls.length}${unread ? ` · ${unread} unread` : ''}`;
      empty.textContent = visible.length === 0 ? emptyMessage() : '';
      empty.hidden = visible.length > 0;
      virtualizer.setOptions({ ...virtualizer.options, count: visible.length });
      virtualizer._willUpdate();
      drawRows();
      today.update();
    },
    /** Relative times and the hour move on; only the rows on screen are redrawn. */
    tick(): void {
      drawRows();
      today.update();
    },
    focusSearch: () => search.focus(),
    destroy: cleanup,
  };
}
