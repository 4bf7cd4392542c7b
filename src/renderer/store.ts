import type { AppStatus } from '../core/app/appStatus';
import type { CallRecord, HistoryChange } from '../core/calls/callRecord';
import type { RequestLogEntry } from '../core/receiver/requestLog';
import type { Settings } from '../core/settings/settingsSchema';
import type { CallFilter } from './logic/search';

export type View = 'welcome' | 'calls' | 'call-back' | 'details' | 'settings' | 'log';

export interface UiState {
  calls: CallRecord[];
  filter: CallFilter;
  view: View;
  selectedId: string | undefined;
  status: AppStatus | undefined;
  settings: Settings | undefined;
  requestLog: RequestLogEntry[];
  /** A short message after an action ("Saved …", "Export cancelled."). */
  notice: string | undefined;
}

/** The window's state and who to tell when it changes; the views read it and render. */
export function createStore() {
  const state: UiState = {
    calls: [],
    filter: { query: '', state: 'all' },
    view: 'calls',
    selectedId: undefined,
    status: undefined,
    settings: undefined,
    requestLog: [],
    notice: undefined,
  };
  const listeners = new Set<() => void>();
  return {
    state,
    update(changes: Partial<UiState>): void {
      Object.assign(state, changes);
      for (const listener of listeners) listener();
    },
    subscribe(listener: () => void): void {
      listeners.add(listener);
    },
  };
}

export type Store = ReturnType<typeof createStore>;

/** Applies a pushed history change to the list, newest first. */
export function applyHistoryChange(calls: CallRecord[], change: HistoryChange): CallRecord[] {
  switch (change.type) {
    case 'cleared':
      return [];
    case 'removed': {
      const removed = new Set(change.ids);
      return calls.filter((call) => !removed.has(call.id));
    }
    case 'read': {
      const read = new Set(change.ids);
      return calls.map((call) => (read.has(call.id) && !call.read ? { ...call, read: true } : call));
    }
    case 'upserted': {
      const index = calls.findIndex((call) => call.id === change.call.id);
      if (index === -1) return [change.call, ...calls];
      const next = calls.slice();
      next[index] = change.call;
      return next;
    }
  }
}
