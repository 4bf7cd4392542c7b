import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CallRecord, HistoryChange } from '../calls/callRecord';
import type { CallDatabase } from './callDatabase';
import type { createWriteBuffer } from './writeBuffer';

const listPageSize = 1000;

export interface ListOptions {
  database: Pick<CallDatabase, 'page'>;
  writes: Pick<ReturnType<typeof createWriteBuffer>, 'flush' | 'pending'>;
  /** What the database says of a call, seen through the changes not yet written. */
  stored: (call: CallRecord | undefined) => CallRecord | undefined;
  /** Tells of each change to the history until the returned function is called. */
  watch: (listener: (change: HistoryChange) => void) => () => void;
}

/**
 * Every call, newest first, read page by page so the event loop keeps serving requests. What is
 * not written yet is laid over the pages, and what changes while they are read (a flush, new
 * calls, a clear) is applied at the end, from the same changes the window is pushed.
 */
export async function listCalls({ database, writes, stored, watch }: ListOptions): Promise<CallRecord[]> {
  const during: HistoryChange[] = [];
  const unwatch = watch((change) => during.push(change));
  try {
    writes.flush();
    const notWritten = [...writes.pending.added].reverse().flatMap((id) => writes.pending.upserts.get(id) ?? []);
    const calls = new Map(notWritten.map((call) => [call.id, call]));
    // Read afresh at each page: a write between pages starts a new set of pending changes.
    const overlay = (call: CallRecord): CallRecord | undefined => {
      const { pending } = writes;
      return pending.removed.has(call.id) && !pending.upserts.has(call.id) ? undefined : (pending.upserts.get(call.id) ?? stored(call));
    };
    for (let offset = 0; !writes.pending.cleared; offset += listPageSize) {
      const page = database.page(offset, listPageSize);
      for (const call of page) if (!calls.has(call.id)) calls.set(call.id, overlay(call) as CallRecord);
      if (page.length < listPageSize) break;
      await nextTurn();
    }
    return applyChanges([...calls.values()].filter(Boolean), during);
  } finally {
    unwatch();
  }
}

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
