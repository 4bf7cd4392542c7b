import type { CallEvent } from '../../telecmi/eventSchema';
import { topics } from '../topics';
import { BoundedMap } from '../../collections/boundedMap';

/** One publish: a topic, and how long the broker may keep it for a desktop that is away. */
export interface Route {
  topic: string;
  event: CallEvent;
  /** A ringing call is worthless after a minute; the rest (answered, ended, missed) matters for a day. */
  expirySec: number;
}

const conversationsKept = 5000;
const ringingExpirySec = 60;
const dayExpirySec = 86_400;

/**
 * Which topics each event goes to. An agent leg names its agent and team; a call report names its
 * team; a caller leg names neither, so it goes to every agent its conversation rang, and when it
 * comes first it waits for the agent leg. That wait is in this process's memory (bounded): a
 * receiver restarted in between, or another receiver behind the same URL, does not know it, and
 * the desktops then miss that caller leg (the dialled number); the call itself still arrives.
 */
export function createEventRouter() {
  const ringers = new BoundedMap<string, { appId: number | string; topics: Set<string> }>(conversationsKept);
  const waiting = new BoundedMap<string, CallEvent[]>(conversationsKept);

  const expiryOf = (event: CallEvent): number =>
    event.kind === 'agent-leg' && event.status === 'started' ? ringingExpirySec : dayExpirySec;

  /** The topics an event names itself: its agent's and its team's. */
  const ownTopics = (event: CallEvent): string[] => {
    const appId = event.appId ?? 'unknown';
    return [event.agent && topics.agent(appId, event.agent), event.team && topics.team(appId, event.team)].filter(
      (topic): topic is string => !!topic,
    );
  };

  function agentLeg(event: CallEvent): Route[] {
    const appId = event.appId ?? 'unknown';
    const own = ownTopics(event);
    const known = ringers.get(event.conversationId)?.topics ?? new Set<string>();
    const added = own.filter((topic) => !known.has(topic));
    ringers.set(event.conversationId, { appId, topics: new Set([...known, ...own]) });
    const early = added.length > 0 ? (waiting.get(event.conversationId) ?? []) : [];
    return [
      ...own.map((topic) => ({ topic, event, expirySec: expiryOf(event) })),
      ...early.flatMap((held) => added.map((topic) => ({ topic, event: held, expirySec: dayExpirySec }))),
    ];
  }

  return {
    /** The publishes this event needs now (with any earlier events it releases). */
    route(event: CallEvent): Route[] {
      if (event.kind === 'outgoing') return [];
      if (event.kind === 'agent-leg') return agentLeg(event);
      const rang = ringers.get(event.conversationId);
      waiting.set(event.conversationId, [...(waiting.get(event.conversationId) ?? []), event]);
      // A call report names its team (and agent) itself; a caller leg only through the agent legs.
      const routed = new Set([...(rang?.topics ?? []), ...ownTopics(event)]);
      return [...routed].map((topic) => ({ topic, event, expirySec: dayExpirySec }));
    },
  };
}
