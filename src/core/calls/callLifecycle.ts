import type { PhoneNumber } from '../phone/phoneNumberSchema';
import type { CallEvent } from '../telecmi/eventSchema';
import type { CallBack, CallRecord, TimelineEntry } from './callRecord';
import { outcomeOf, type ConversationFacts } from './conversation';

/** Raw payloads kept per call: enough for support, bounded against a misbehaving sender. */
const maxEventsPerCall = 20;

/** A record for the first event seen of one of this desktop's agent legs; its state comes from `reconcile`. */
export function newCallRecord(event: CallEvent, dialled?: PhoneNumber, callerNames?: readonly string[]): CallRecord {
  const time = event.time.getTime();
  return {
    id: event.callId,
    conversationId: event.conversationId,
    state: event.kind === 'agent-leg' && event.status === 'answered' ? 'answered' : 'ringing',
    from: event.from,
    callerNames: callerNames && callerNames.length > 0 ? [...callerNames] : undefined,
    dialled,
    agent: event.agent,
    team: event.team,
    appId: event.appId,
    custom: event.custom,
    startedAt: time,
    answeredAt: undefined,
    endedAt: undefined,
    legEndedAt: undefined,
    durationSec: undefined,
    waitedSec: undefined,
    hangupReason: undefined,
    receivedAt: event.receivedAt,
    updatedAt: event.receivedAt,
    read: false,
    timeline: [],
    events: [],
  };
}

/** What the record's timeline says of an event: another agent's leg names its agent. */
export function timelineEntry(event: CallEvent, ownLeg: boolean): TimelineEntry {
  const entry = { event: `${event.kind}:${event.status}`, time: event.time.getTime(), receivedAt: event.receivedAt };
  return !ownLeg && event.agent ? { ...entry, agent: event.agent } : entry;
}

/** Whether an event belongs in a leg's record: its own events, the caller leg, the reports, and colleagues answering. */
export function concerns(event: CallEvent, legId: string): boolean {
  if (event.kind === 'agent-leg' || event.kind === 'agent-report') return event.callId === legId || event.status === 'answered';
  return event.kind === 'caller-leg' || event.kind === 'cdr';
}

/**
 * Whether a call is one to call back: missed or declined by its agent while nobody answered the
 * conversation. A call back done stays done; one that is no longer due (a colleague's answer came
 * late) is dropped.
 */
function callBackOf(call: CallRecord, missedByEveryone: boolean, state: CallRecord['state']): CallBack | undefined {
  if (call.callBack?.state === 'done') return call.callBack;
  return missedByEveryone && (state === 'missed' || state === 'declined') ? { state: 'pending' } : undefined;
}

/**
 * The record brought up to date with its conversation's facts and the events that came (those
 * that concern it join its timeline). Every field is written out, in one order: a spread that adds
 * fields is many times slower.
 */
export function reconcile(call: CallRecord, facts: ConversationFacts, added: readonly CallEvent[] = []): CallRecord {
  const outcome = outcomeOf(facts, call.id);
  const answeredAt = outcome.answeredAt ?? (outcome.state === 'answered' || outcome.state === 'ended' ? call.answeredAt : undefined);
  const endedAt = outcome.endedAt;
  const kept = added.filter((event) => concerns(event, call.id));
  const own = added.filter((event) => event.callId === call.id);
  const last = added[added.length - 1];
  return {
    id: call.id,
    conversationId: call.conversationId,
    state: outcome.state,
    from: call.from ?? facts.caller,
    callerNames: call.callerNames,
    dialled: call.dialled ?? facts.dialled,
    agent: call.agent ?? own.find((event) => event.agent)?.agent,
    team: call.team ?? own.find((event) => event.team)?.team,
    appId: call.appId ?? last?.appId,
    custom: call.custom ?? own.find((event) => event.custom !== undefined)?.custom,
    startedAt: call.startedAt,
    answeredAt,
    endedAt,
    legEndedAt: facts.legs.get(call.id)?.endedAt ?? call.legEndedAt,
    durationSec: answeredAt !== undefined && endedAt !== undefined ? Math.round((endedAt - answeredAt) / 1000) : undefined,
    waitedSec: facts.waitedSec ?? call.waitedSec,
    hangupReason: own.findLast((event) => event.hangupReason)?.hangupReason ?? call.hangupReason ?? facts.hangupReason,
    answeredBy: outcome.answeredBy,
    answeredByName: outcome.answeredByName ?? (outcome.answeredBy === call.answeredBy ? call.answeredByName : undefined),
    voicemail: facts.voicemail || call.voicemail || undefined,
    callBack: callBackOf(call, outcome.missedByEveryone, outcome.state),
    receivedAt: call.receivedAt,
    updatedAt: last?.receivedAt ?? call.updatedAt,
    read: call.read,
    timeline: kept.length > 0 ? [...call.timeline, ...kept.map((event) => timelineEntry(event, event.callId === call.id))] : call.timeline,
    events: kept.length > 0 ? [...call.events, ...kept.map((event) => event.raw)].slice(-maxEventsPerCall) : call.events,
  };
}

/** The same call as far as anyone can see: what changed is worth saving and telling the window. */
export function sameCall(a: CallRecord, b: CallRecord): boolean {
  return (
    a.state === b.state &&
    a.timeline.length === b.timeline.length &&
    a.endedAt === b.endedAt &&
    a.answeredAt === b.answeredAt &&
    a.legEndedAt === b.legEndedAt &&
    a.dialled?.digits === b.dialled?.digits &&
    a.answeredBy === b.answeredBy &&
    a.answeredByName === b.answeredByName &&
    a.voicemail === b.voicemail &&
    a.callBack?.state === b.callBack?.state &&
    a.waitedSec === b.waitedSec &&
    a.hangupReason === b.hangupReason
  );
}
