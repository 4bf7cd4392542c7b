import { BoundedMap } from '../../collections/boundedMap';
import type { CallEvent } from '../../telecmi/eventSchema';
import { topics } from '../topics';

/** One publish: a topic, and how long the broker may keep it for a desktop that is away. */
export interface Route {
  topic: string;
  event: CallEvent;
  /** A ringing call is worthless after a minute; the rest (answered, ended, missed) matters for a day. */
  expirySec: number;
}

const conversationsKept = 5000;
const callersKept = 20_000;
/** A conversation's events kept for a desktop it reaches late (a hunt group's next agent). */
const eventsKeptPerConversation = 30;
const ringingExpirySec = 60;
const dayExpirySec = 86_400;

interface RoutedConversation {
  topics: Set<string>;
  events: CallEvent[];
}

/**
 * Which topics each event goes to. Every desktop a conversation reached gets all of its events:
 * its own legs, the colleagues' legs (so "answered by a colleague" is never taken for missed), the
 * caller leg and the reports; a desktop the conversation reaches later gets what came before. An
 * outgoing call, and a caller's new conversation being answered, also go to every desktop that
 * knows the caller, so a call back clears the missed call everywhere. What is routed is in this
 * process's memory (bounded): a receiver restarted in between, or another receiver behind the same
 * URL, does not know it, and desktops then miss those earlier events, never their own calls.
 */
export function createEventRouter() {
  const conversations = new BoundedMap<string, RoutedConversation>(conversationsKept);
  /** Agent legs -> their conversation: an agent's report names only its leg. */
  const legs = new BoundedMap<string, string>(conversationsKept * 4);
  /** The topics that have seen a caller: where a call back to them must be told. */
  const callers = new BoundedMap<string, Set<string>>(callersKept);

  const expiryOf = (event: CallEvent): number =>
    event.kind === 'agent-leg' && event.status === 'started' ? ringingExpirySec : dayExpirySec;

  /** The topics an event names itself: its agent's and its team's. */
  const ownTopics = (event: CallEvent): string[] => {
    const appId = event.appId ?? 'unknown';
    return [event.agent && topics.agent(appId, event.agent), event.team && topics.team(appId, event.team)].filter(
      (topic): topic is string => !!topic,
    );
  };

  function knownTo(digits: string | undefined, more: Iterable<string>): Set<string> {
    if (!digits) return new Set(more);
    const known = new Set([...(callers.get(digits) ?? []), ...more]);
    callers.set(digits, known);
    return known;
  }

  function outgoing(event: CallEvent): Route[] {
    if (event.status !== 'started') return [];
    const reached = new Set([...ownTopics(event), ...(callers.get(event.to?.digits ?? '') ?? [])]);
    return [...reached].map((topic) => ({ topic, event, expirySec: dayExpirySec }));
  }

  function conversationEvent(event: CallEvent): Route[] {
    const id =
      event.kind === 'agent-report' && !event.knowsConversation ? (legs.get(event.callId) ?? event.conversationId) : event.conversationId;
    if (event.kind === 'agent-leg') legs.set(event.callId, id);
    const conversation = conversations.get(id) ?? { topics: new Set<string>(), events: [] };
    const added = ownTopics(event).filter((topic) => !conversation.topics.has(topic));
    for (const topic of added) conversation.topics.add(topic);
    const earlier = conversation.events;
    conversation.events = [...earlier, event].slice(-eventsKeptPerConversation);
    conversations.set(id, conversation);
    const known = knownTo(event.from?.digits, conversation.topics);
    // Someone answered the caller's new call: every desktop that had them (a missed call to return) hears of it.
    const reached = event.kind === 'agent-leg' && event.status === 'answered' ? known : conversation.topics;
    return [
      ...[...reached].map((topic) => ({ topic, event, expirySec: expiryOf(event) })),
      ...earlier.flatMap((held) => added.map((topic) => ({ topic, event: held, expirySec: dayExpirySec }))),
    ];
  }

  return {
    /** The publishes this event needs now (with the earlier events of its conversation it releases to a new desktop). */
    route(event: CallEvent): Route[] {
      if (event.kind === 'outgoing-report') return [];
      if (event.kind === 'outgoing') return outgoing(event);
      return conversationEvent(event);
    },
  };
}
