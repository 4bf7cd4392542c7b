import type { CallRecord, CallState } from '../../core/calls/callRecord';

export interface CallFilter {
  query: string;
  state: CallState | 'all';
}

/**
 * What a search matches in a call: the caller's contact names, the caller and dialled numbers (digits and display), agent,
 * team and the custom fields. Built once per call version and cached: typing must stay fast at
 * 10,000 calls.
 */
const searchTextCache = new WeakMap<CallRecord, string>();

function searchText(call: CallRecord): string {
  let text = searchTextCache.get(call);
  if (text === undefined) {
    const custom =
      typeof call.custom === 'string'
        ? call.custom
        : Object.entries(call.custom ?? {})
            .map(([key, value]) => `${key} ${String(value)}`)
            .join(' ');
    text = [call.callerNames?.join(' '), call.from?.digits, call.from?.display, call.dialled?.digits, call.agent, call.team, custom]
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
    searchTextCache.set(call, text);
  }
  return text;
}

/** Every word of the query must appear; a query of digits also matches numbers written with spaces or `+`. */
export function filterCalls(calls: readonly CallRecord[], { query, state }: CallFilter): CallRecord[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word.replace(/^\+/, ''));
  return calls.filter((call) => (state === 'all' || call.state === state) && words.every((word) => searchText(call).includes(word)));
}
