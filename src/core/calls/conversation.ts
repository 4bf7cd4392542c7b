import type { PhoneNumber } from '../phone/phoneNumberSchema';
import type { CallEvent } from '../telecmi/eventSchema';
import type { CallRecord, CallState } from './callRecord';

/** What is known of one agent leg (leg B) of a conversation, from its events and its report. */
export interface LegFacts {
  agent?: string;
  /** The display name the team server sent with the leg's events. */
  agentName?: string;
  startedAt?: number;
  answeredAt?: number;
  endedAt?: number;
  /** The agent's report says they rejected it (`sent_reject`). */
  declined: boolean;
}

/**
 * What the account's events tell of one conversation (`conversation_uuid`): its agent legs, the
 * caller leg's end, and the reports. Facts only accumulate, so any order of arrival and any
 * duplicate lead to the same facts, and the same outcome for each leg.
 */
export interface ConversationFacts {
  id: string;
  legs: Map<string, LegFacts>;
  caller?: PhoneNumber;
  dialled?: PhoneNumber;
  /** When the conversation ended, and what said so: the caller hanging up, a report, or a silence long enough. */
  endedAt?: number;
  endedBy?: 'caller-hangup' | 'report' | 'timeout';
  /** An answered report: someone answered, even when their leg's events were not seen; it names them when it can. */
  reportedAnswered?: { agent?: string; at: number };
  /** The caller leg was seen and has not hung up: the caller is still there (in a queue, an IVR). */
  callerWaiting?: boolean;
  /** The last event reached this desktop late (a backlog after sleep): what it decides is summed up, not popped up. */
  late?: boolean;
  voicemail?: boolean;
  waitedSec?: number;
  hangupReason?: string;
  /** The conversation's events so far (bounded): a leg seen late takes them into its timeline. */
  events: CallEvent[];
}

const eventsKept = 20;
/** Legs kept per conversation: a hunt group over a whole call centre still rings far fewer. */
const legsKept = 100;

export const newConversation = (id: string): ConversationFacts => ({ id, legs: new Map(), events: [] });

/** TeleCMI suffixes agent ids with `_<app id>`; an id is compared without it, in any case. */
export const sameAgent = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && extensionOf(a).toLowerCase() === extensionOf(b).toLowerCase();

/** `205` for `205_2222223`: what a person calls a colleague when no name is known. */
export const extensionOf = (agent: string): string => agent.replace(/_\d+$/, '');

function legOf(facts: ConversationFacts, legId: string): LegFacts {
  let leg = facts.legs.get(legId);
  if (!leg) {
    leg = { declined: false };
    if (facts.legs.size < legsKept) facts.legs.set(legId, leg);
  }
  return leg;
}

const earliest = (a: number | undefined, b: number): number => (a === undefined ? b : Math.min(a, b));

function endConversation(facts: ConversationFacts, at: number, by: 'caller-hangup' | 'report'): void {
  // A report is the platform's own verdict: it outranks the caller leg's hangup, which outranks a silence.
  if (facts.endedBy === 'report' || (facts.endedBy === 'caller-hangup' && by === 'caller-hangup')) return;
  facts.endedAt = facts.endedAt === undefined || facts.endedBy === 'timeout' ? at : Math.min(facts.endedAt, at);
  facts.endedBy = by;
}

/** Adds what one event tells. `agentName`: the team server's name for the event's agent. */
export function learn(facts: ConversationFacts, event: CallEvent, agentName?: string): void {
  const time = event.time.getTime();
  facts.caller ??= event.kind === 'outgoing' ? undefined : event.from;
  facts.events = [...facts.events, event].slice(-eventsKept);
  if (event.kind === 'agent-leg') {
    const leg = legOf(facts, event.callId);
    leg.agent ??= event.agent;
    leg.agentName ??= agentName;
    if (event.status === 'started') leg.startedAt = earliest(leg.startedAt, time);
    else if (event.status === 'answered') leg.answeredAt = earliest(leg.answeredAt, time);
    else leg.endedAt = earliest(leg.endedAt, time);
  } else if (event.kind === 'agent-report') {
    const leg = legOf(facts, event.callId);
    leg.agent ??= event.agent;
    leg.declined ||= event.hangupReason === 'sent_reject';
  } else if (event.kind === 'caller-leg') {
    facts.dialled ??= event.to;
    if (event.status === 'hangup') endConversation(facts, time, 'caller-hangup');
    facts.callerWaiting = facts.endedBy === undefined;
  } else if (event.kind === 'cdr') {
    facts.dialled ??= event.to;
    facts.waitedSec = event.waitedSec ?? facts.waitedSec;
    facts.hangupReason = event.hangupReason ?? facts.hangupReason;
    facts.voicemail ||= event.voicemail === true;
    if (event.status === 'answered') facts.reportedAnswered ??= { ...(event.agent && { agent: event.agent }), at: time };
    endConversation(facts, time, 'report');
    facts.callerWaiting = false;
  }
}

/** When someone first answered the conversation (a leg's answer, else the answered report), if anyone did. */
export function answeredAtOf(facts: ConversationFacts): number | undefined {
  const answers = [...facts.legs.values()].flatMap((leg) => (leg.answeredAt === undefined ? [] : [leg.answeredAt]));
  if (facts.reportedAnswered) answers.push(facts.reportedAnswered.at);
  return answers.length > 0 ? Math.min(...answers) : undefined;
}

/** Nothing has rung or talked for a while, and nothing said the conversation ended: it did. */
export function endBySilence(facts: ConversationFacts, at: number): void {
  if (facts.endedBy) return;
  facts.endedAt = at;
  facts.endedBy = 'timeout';
}

/**
 * Whether a leg is still ringing or talking: the conversation is not over while one is. A leg
 * that has rung for longer than any phone rings (`maxRingMs`) without an answer is over, though
 * its hangup never came.
 */
export const hasLiveLeg = (facts: ConversationFacts, now: number, maxRingMs: number): boolean =>
  [...facts.legs.values()].some(
    (leg) =>
      leg.startedAt !== undefined &&
      leg.endedAt === undefined &&
      !leg.declined &&
      (leg.answeredAt !== undefined || now - leg.startedAt < maxRingMs),
  );

/** Who answered the conversation, other than the leg `except`: the first leg to answer, else the report's agent. */
export function answererOf(facts: ConversationFacts, except?: string): { legId?: string; agent?: string; agentName?: string } | undefined {
  let first: [string, LegFacts] | undefined;
  for (const entry of facts.legs) {
    const [legId, leg] = entry;
    if (legId === except || leg.answeredAt === undefined) continue;
    if (!first || leg.answeredAt < (first[1].answeredAt ?? Infinity)) first = entry;
  }
  if (first) return { legId: first[0], agent: first[1].agent, agentName: first[1].agentName };
  const exceptAgent = except === undefined ? undefined : facts.legs.get(except)?.agent;
  const reported = facts.reportedAnswered;
  if (reported && !sameAgent(reported.agent, exceptAgent)) return reported.agent === undefined ? {} : { agent: reported.agent };
  return undefined;
}

export interface LegOutcome {
  state: CallState;
  answeredAt?: number;
  endedAt?: number;
  answeredBy?: string;
  answeredByName?: string;
  /** Nobody answered the conversation: the caller is to be called back. */
  missedByEveryone: boolean;
}

/**
 * What became of one leg, from the conversation's facts: answered (and ended) by its agent,
 * declined by them, answered by a colleague, missed once the conversation ended with nobody
 * answering, or still ringing. Never decided by the leg's own hangup alone: a hunt group rings the
 * next agent after it.
 */
export function outcomeOf(facts: ConversationFacts, legId: string): LegOutcome {
  const leg = facts.legs.get(legId) ?? { declined: false };
  const reportedMine = sameAgent(facts.reportedAnswered?.agent, leg.agent);
  const other = answererOf(facts, legId);
  const missedByEveryone = !other && leg.answeredAt === undefined && !reportedMine && facts.endedBy !== undefined;
  const endedAt = leg.endedAt ?? facts.endedAt;
  if (leg.answeredAt !== undefined || reportedMine) {
    const over = leg.endedAt !== undefined || facts.endedAt !== undefined;
    return { state: over ? 'ended' : 'answered', answeredAt: leg.answeredAt, endedAt: over ? endedAt : undefined, missedByEveryone };
  }
  const by = other && { answeredBy: other.agent, answeredByName: other.agentName };
  if (leg.declined) return { state: 'declined', endedAt, ...by, missedByEveryone };
  if (other) return { state: 'answered-elsewhere', endedAt, ...by, missedByEveryone };
  if (facts.endedBy) return { state: 'missed', endedAt, missedByEveryone };
  return { state: 'ringing', missedByEveryone };
}

/** The facts a conversation's saved records still tell, after a restart or once it was forgotten in memory. */
export function factsFromRecords(id: string, records: readonly CallRecord[]): ConversationFacts {
  const facts = newConversation(id);
  for (const record of records) {
    facts.caller ??= record.from;
    facts.dialled ??= record.dialled;
    facts.legs.set(record.id, {
      agent: record.agent,
      startedAt: record.startedAt,
      answeredAt: record.answeredAt,
      endedAt: record.legEndedAt ?? (record.state === 'ended' || record.state === 'declined' ? record.endedAt : undefined),
      declined: record.state === 'declined',
    });
    if (record.state === 'answered-elsewhere')
      facts.reportedAnswered ??= { ...(record.answeredBy && { agent: record.answeredBy }), at: record.endedAt ?? record.startedAt };
    if (record.voicemail) facts.voicemail = true;
    // Only a verdict that needs the conversation to be over says so: a colleague's answer or a decline does not.
    if ((record.state === 'missed' || record.state === 'ended') && record.endedAt !== undefined) {
      facts.endedAt ??= record.endedAt;
      facts.endedBy ??= 'report';
    }
  }
  return facts;
}
