import type { CallEvent } from '../telecmi/eventSchema';
import type { PhoneNumber } from '../phone/phoneNumberSchema';
import { callStateRank, type CallRecord, type CallState, type TimelineEntry } from './callRecord';

/** Raw payloads kept per call: enough for support, bounded against a misbehaving sender. */
const maxEventsPerCall = 20;

/** The state an event moves a call to, or undefined when it does not move it. */
function stateAfter(current: CallState | undefined, event: CallEvent): CallState | undefined {
  if (event.kind === 'agent-leg') {
    if (event.status === 'started') return 'ringing';
    if (event.status === 'answered') return 'answered';
    return current === 'answered' ? 'ended' : 'missed';
  }
  const callerGaveUp = event.kind === 'caller-leg' && event.status === 'hangup';
  const reportedMissed = event.kind === 'cdr' && event.status === 'missed';
  return current === 'ringing' && (callerGaveUp || reportedMissed) ? 'missed' : undefined;
}

/** Moves forward only: a late `started` after `answered` keeps the call answered. */
function advance(current: CallState, event: CallEvent): CallState {
  const next = stateAfter(current, event);
  return next !== undefined && callStateRank[next] > callStateRank[current] ? next : current;
}

/** An `answered` that overtook its hangup: the call was answered before it ended, so it ended. */
function answeredBeforeItEnded(call: CallRecord, event: CallEvent): boolean {
  return (
    call.state === 'missed' &&
    event.kind === 'agent-leg' &&
    event.status === 'answered' &&
    call.endedAt !== undefined &&
    event.time.getTime() <= call.endedAt
  );
}

/** A record for an agent-leg event seen first; the state is whatever that event says. */
export function newCallRecord(event: CallEvent, dialled?: PhoneNumber, callerNames?: readonly string[]): CallRecord {
  const time = event.time.getTime();
  const state = stateAfter(undefined, event) ?? 'ringing';
  const ended = state === 'ended' || state === 'missed';
  return {
    id: event.callId,
    conversationId: event.conversationId,
    state,
    from: event.from,
    callerNames: callerNames && callerNames.length > 0 ? [...callerNames] : undefined,
    dialled,
    agent: event.agent,
    team: event.team,
    appId: event.appId,
    custom: event.custom,
    startedAt: time,
    answeredAt: state === 'answered' ? time : undefined,
    endedAt: ended ? time : undefined,
    durationSec: undefined,
    waitedSec: event.waitedSec,
    hangupReason: event.hangupReason,
    receivedAt: event.receivedAt,
    updatedAt: event.receivedAt,
    read: false,
    timeline: [timelineEntry(event)],
    events: [event.raw],
  };
}

/**
 * Merges one event of the call, its caller leg or its call report into the record.
 * Every field is written out, in one order: a spread that adds fields is many times slower.
 */
export function applyEvent(call: CallRecord, event: CallEvent): CallRecord {
  const time = event.time.getTime();
  const late = answeredBeforeItEnded(call, event);
  const state = late ? 'ended' : advance(call.state, event);
  const answeredAt = (state === 'answered' && call.state !== 'answered') || late ? time : call.answeredAt;
  const endedAt = !late && state !== call.state && (state === 'ended' || state === 'missed') ? time : call.endedAt;
  return {
    id: call.id,
    conversationId: call.conversationId,
    state,
    from: call.from ?? event.from,
    callerNames: call.callerNames,
    dialled: call.dialled ?? (event.kind === 'caller-leg' || event.kind === 'cdr' ? event.to : undefined),
    agent: call.agent ?? event.agent,
    team: call.team ?? event.team,
    appId: call.appId ?? event.appId,
    custom: call.custom ?? event.custom,
    startedAt: call.startedAt,
    answeredAt,
    endedAt,
    durationSec: answeredAt !== undefined && endedAt !== undefined ? Math.round((endedAt - answeredAt) / 1000) : call.durationSec,
    waitedSec: event.waitedSec ?? call.waitedSec,
    hangupReason: event.hangupReason ?? call.hangupReason,
    receivedAt: call.receivedAt,
    updatedAt: event.receivedAt,
    read: call.read,
    timeline: [...call.timeline, timelineEntry(event)],
    events: [...call.events, event.raw].slice(-maxEventsPerCall),
  };
}

function timelineEntry(event: CallEvent): TimelineEntry {
  return { event: `${event.kind}:${event.status}`, time: event.time.getTime(), receivedAt: event.receivedAt };
}
