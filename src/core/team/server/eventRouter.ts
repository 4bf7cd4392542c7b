import { BoundedMap } from '../../collections/boundedMap';
import { answeredAtOf, hasLiveLeg, learn, newConversation, type ConversationFacts } from '../../calls/conversation';
import { numberKey, sameNumber } from '../../phone/phoneNumber';
import type { CallEvent } from '../../telecmi/eventSchema';
import { eventKey } from '../../telecmi/parseEvent';
import { topics } from '../topics';

/** One publish: a topic, and how long the broker may keep it for a desktop that is away. */
export interface Route {
  topic: string;
  event: CallEvent;
  /** A ringing call is worthless after a minute; the rest (answered, ended, missed) matters for a day. */
  expirySec: number;
}

const conversationsKept = 5000;
/** Topics one conversation reaches at most: its agents and teams. */
const topicsKeptPerConversation = 200;
const callersKept = 20_000;
/** A conversation's events kept for a desktop it reaches late (a hunt group's next agent). */
const eventsKeptPerConversation = 30;
const ringingExpirySec = 60;
const dayExpirySec = 86_400;

interface RoutedConversation {
  topics: Set<string>;
  events: CallEvent[];
  /** What its events tell (the same facts the desktops keep): whether anyone answered it. */
  facts: ConversationFacts;
}

/**
 * Which topics each event goes to. Every desktop a conversation reached gets all of its events:
 * its own legs, the colleagues' legs (so "answered by a colleague" is never taken for missed), the
 * caller leg and the reports; a desktop the conversation reaches later gets what came before. A
 * caller missed by everyone is remembered with the desktops that had them: an outgoing call to
 * them, or their next call being answered, also goes there, so the call back clears everywhere.
 * What is routed is in this process's memory (bounded), with what the team's other receivers
 * published (`learnPublished`): a receiver restarted in between does not know it, and desktops then
 * miss those earlier events, never their own calls.
 */
export function createEventRouter() {
  const conversations = new BoundedMap<string, RoutedConversation>(conversationsKept);
  /** Agent legs -> their conversation: an agent's report names only its leg. */
  const legs = new BoundedMap<string, string>(conversationsKept * 4);
  /** Callers missed by everyone -> the topics that had them: where their call back must be told. */
  const toCallBack = new BoundedMap<string, { digits: string; topics: Set<string> }>(callersKept);

  const expiryOf = (event: CallEvent): number =>
    event.kind === 'agent-leg' && event.status === 'started' ? ringingExpirySec : dayExpirySec;

  /** The topics an event names itself: its agent's and its team's. */
  const ownTopics = (event: CallEvent): string[] => {
    const appId = event.appId ?? 'unknown';
    return [event.agent && topics.agent(appId, event.agent), event.team && topics.team(appId, event.team)].filter(
      (topic): topic is string => !!topic,
    );
  };

  /** The desktops waiting to call this caller back, told once: the call back (or the answer) clears them. */
  function callBackTopics(digits: string | undefined): string[] {
    if (!digits) return [];
    const waiting = toCallBack.get(numberKey(digits));
    if (!waiting || !sameNumber(waiting.digits, digits)) return [];
    toCallBack.delete(numberKey(digits));
    return [...waiting.topics];
  }

  function outgoing(event: CallEvent): Route[] {
    if (event.status !== 'started') return [];
    const reached = new Set([...ownTopics(event), ...callBackTopics(event.to?.digits)]);
    return [...reached].map((topic) => ({ topic, event, expirySec: dayExpirySec }));
  }

  function conversationEvent(event: CallEvent): Route[] {
    const id =
      event.kind === 'agent-report' && !event.knowsConversation ? (legs.get(event.callId) ?? event.conversationId) : event.conversationId;
    if (event.kind === 'agent-leg') legs.set(event.callId, id);
    const conversation = conversations.get(id) ?? { topics: new Set<string>(), events: [], facts: newConversation(id) };
    const answeredBefore = answeredAtOf(conversation.facts) !== undefined;
    learn(conversation.facts, event);
    const added = ownTopics(event)
      .filter((topic) => !conversation.topics.has(topic))
      .slice(0, topicsKeptPerConversation - conversation.topics.size);
    for (const topic of added) conversation.topics.add(topic);
    const earlier = conversation.events;
    conversation.events = [...earlier, event].slice(-eventsKeptPerConversation);
    conversations.set(id, conversation);
    const answered = answeredAtOf(conversation.facts) !== undefined;
    const digits = conversation.facts.caller?.digits;
    // Answered now: the desktops that had this caller to call back hear of it.
    const reached = new Set([...conversation.topics, ...(answered && !answeredBefore ? callBackTopics(digits) : [])]);
    if (!answered && digits && (conversation.facts.endedBy || !hasLiveLeg(conversation.facts, Date.now(), Infinity))) {
      const waiting = toCallBack.get(numberKey(digits));
      toCallBack.set(numberKey(digits), { digits, topics: new Set([...(waiting?.topics ?? []), ...conversation.topics]) });
    }
    return [
      ...[...reached].map((topic) => ({ topic, event, expirySec: expiryOf(event) })),
      ...earlier.flatMap((held) => added.map((topic) => ({ topic, event: held, expirySec: dayExpirySec }))),
    ];
  }

  /** An event another receiver published to `topic`: its conversation reaches that topic from here too. */
  function learnPublished(event: CallEvent, topic: string): void {
    if (event.kind === 'outgoing' || event.kind === 'outgoing-report') return;
    const id =
      event.kind === 'agent-report' && !event.knowsConversation ? (legs.get(event.callId) ?? event.conversationId) : event.conversationId;
    if (event.kind === 'agent-leg') legs.set(event.callId, id);
    const conversation = conversations.get(id) ?? { topics: new Set<string>(), events: [], facts: newConversation(id) };
    if (conversation.topics.size < topicsKeptPerConversation) conversation.topics.add(topic);
    // Published to its agent's topic and its team's: heard twice, kept once.
    if (!conversation.events.some((known) => eventKey(known) === eventKey(event))) {
      learn(conversation.facts, event);
      conversation.events = [...conversation.events, event].slice(-eventsKeptPerConversation);
    }
    conversations.set(id, conversation);
  }

  return {
    learnPublished,
    /** The publishes this event needs now (with the earlier events of its conversation it releases to a new desktop). */
    route(event: CallEvent): Route[] {
      if (event.kind === 'outgoing-report') return [];
      if (event.kind === 'outgoing') return outgoing(event);
      return conversationEvent(event);
    },
  };
}

export type EventRouter = ReturnType<typeof createEventRouter>;
