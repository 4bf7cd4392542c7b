import { startOfDay } from '../calls/callerHistory';
import type { CallerCounts } from '../calls/callStore';
import type { IndexedCall } from './callIndex';

/** A caller's newest call of one conversation. */
interface Latest {
  conversationId: string;
  id: string;
  startedAt: number;
}

/** What is kept per caller to answer a popup in constant time, however many calls the number has. */
interface Summary {
  /** Local midnight of the day `today` counts. */
  day: number;
  /** That day's conversations, each with how many of the caller's calls it has. */
  today: Map<string, number>;
  /** The newest conversations, newest first, one entry each. */
  latest: Latest[];
  /** Some conversation fell off `latest` (it keeps a few): rebuilt from the calls when it runs short. */
  trimmed: boolean;
}

const latestKept = 8;
/** A caller with this many calls or fewer has no summary: counting their calls is as quick, and most callers are such. */
const summarisedAbove = 8;

/**
 * Counters per caller, kept as calls are indexed and removed: how many conversations today, and
 * the newest few conversations. A number that recurs thousands of times (a withheld number, a
 * switchboard) costs a popup the same as a new caller. An event for an older call than the
 * caller's newest (out of order), and a caller with few calls, are counted exactly from the
 * caller's calls instead.
 */
export function createCallerSummaries(
  callsOfCaller: (digits: string) => ReadonlyMap<string, IndexedCall>,
  callCountOf: (digits: string) => number,
) {
  const summaries = new Map<string, Summary>();

  function add(id: string, call: IndexedCall): void {
    const { caller } = call;
    if (!caller || callCountOf(caller) <= summarisedAbove) return;
    const summary = summaries.get(caller);
    if (summary) count(summary, id, call);
    else summaries.set(caller, summaryOf(callsOfCaller(caller)));
  }

  function summaryOf(calls: ReadonlyMap<string, IndexedCall>): Summary {
    const summary: Summary = { day: -Infinity, today: new Map(), latest: [], trimmed: false };
    for (const [id, call] of calls) count(summary, id, call);
    return summary;
  }

  function count(summary: Summary, id: string, { conversationId, startedAt }: IndexedCall): void {
    const day = startOfDay(new Date(startedAt));
    if (day > summary.day) {
      summary.day = day;
      summary.today = new Map();
    }
    if (day === summary.day) summary.today.set(conversationId, (summary.today.get(conversationId) ?? 0) + 1);
    place(summary, { conversationId, id, startedAt });
  }

  function remove(id: string, { caller, conversationId, startedAt }: IndexedCall): void {
    const summary = caller ? summaries.get(caller) : undefined;
    if (!caller || !summary) return;
    if (callCountOf(caller) <= summarisedAbove) return void summaries.delete(caller);
    if (startOfDay(new Date(startedAt)) === summary.day) {
      const left = (summary.today.get(conversationId) ?? 0) - 1;
      if (left > 0) summary.today.set(conversationId, left);
      else summary.today.delete(conversationId);
    }
    if (!summary.latest.some((entry) => entry.id === id)) return;
    // The conversation's newest call went: its next newest (if any) takes its place.
    summary.latest = summary.latest.filter((entry) => entry.conversationId !== conversationId);
    const remaining = callsOfCaller(caller);
    if (remaining.size === 0) return void summaries.delete(caller);
    if (summary.trimmed && summary.latest.length < latestKept / 2) return rebuild(caller, remaining);
    for (const [otherId, call] of remaining)
      if (call.conversationId === conversationId) place(summary, { conversationId, id: otherId, startedAt: call.startedAt });
  }

  function rebuild(caller: string, calls: ReadonlyMap<string, IndexedCall>): void {
    const summary = summaries.get(caller);
    if (!summary) return;
    summary.latest = [];
    summary.trimmed = false;
    for (const [id, call] of calls) place(summary, { conversationId: call.conversationId, id, startedAt: call.startedAt });
  }

  /** The counts for `call`'s popup: its own conversation and later calls are not counted. */
  function countsFor(digits: string, call: { conversationId: string; startedAt: number }, midnight: number): CallerCounts {
    const summary = summaries.get(digits);
    if (!summary) return scan(digits, call, midnight);
    const others = summary.latest.filter((entry) => entry.conversationId !== call.conversationId);
    if (summary.day > midnight || others.some((entry) => entry.startedAt > call.startedAt)) return scan(digits, call, midnight);
    const today = summary.day === midnight ? summary.today.size - (summary.today.has(call.conversationId) ? 1 : 0) : 0;
    return { today, ...(others[0] && { lastId: others[0].id }) };
  }

  /** Exactly, from every call of the caller: for an event out of order. */
  function scan(digits: string, call: { conversationId: string; startedAt: number }, midnight: number): CallerCounts {
    const today = new Set<string>();
    let last: { id: string; startedAt: number } | undefined;
    for (const [id, { startedAt, conversationId }] of callsOfCaller(digits)) {
      if (conversationId === call.conversationId || startedAt > call.startedAt) continue;
      if (startedAt >= midnight) today.add(conversationId);
      if (!last || startedAt > last.startedAt) last = { id, startedAt };
    }
    return { today: today.size, ...(last && { lastId: last.id }) };
  }

  return { add, remove, countsFor, clear: (): void => summaries.clear() };
}

/** Puts a conversation's newest call in its place among the newest few. */
function place(summary: Summary, entry: Latest): void {
  const known = summary.latest.find((each) => each.conversationId === entry.conversationId);
  if (known && known.startedAt >= entry.startedAt) return;
  const latest = summary.latest.filter((each) => each !== known);
  const at = latest.findIndex((each) => each.startedAt < entry.startedAt);
  latest.splice(at === -1 ? latest.length : at, 0, entry);
  if (latest.length > latestKept) {
    latest.length = latestKept;
    summary.trimmed = true;
  }
  summary.latest = latest;
}
