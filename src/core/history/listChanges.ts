import type { CallRecord, HistoryChange } from '../calls/callRecord';

/** A list brought up to date with the changes that happened while it was read, newest first. */
export function applyChanges(calls: CallRecord[], changes: readonly HistoryChange[]): CallRecord[] {
  const byId = new Map(calls.map((call) => [call.id, call]));
  let added: CallRecord[] = [];
  for (const change of changes) {
    if (change.type === 'cleared') {
      byId.clear();
      added = [];
    } else if (change.type === 'removed') {
      for (const id of change.ids) byId.delete(id);
      added = added.filter((call) => !change.ids.includes(call.id));
    } else if (change.type === 'read') {
      const read = new Set(change.ids);
      for (const [id, call] of byId) if (read.has(id)) byId.set(id, { ...call, read: true });
      added = added.map((call) => (read.has(call.id) ? { ...call, read: true } : call));
    } else if (byId.has(change.call.id)) byId.set(change.call.id, change.call);
    else if (added.some((call) => call.id === change.call.id))
      added = added.map((call) => (call.id === change.call.id ? change.call : call));
    else added = [change.call, ...added];
  }
  return [...added, ...byId.values()];
}
