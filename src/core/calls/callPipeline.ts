import type { Logger } from '../log/logger';
import type { PhoneNumber } from '../phone/phoneNumberSchema';
import type { CallHistory } from '../history/callHistory';
import { eventKey } from '../telecmi/parseEvent';
import type { CallEvent } from '../telecmi/eventSchema';
import { createBurstCoalescer } from './burstCoalescer';
import type { Notifier } from './callNotification';
import { applyEvent, newCallRecord } from './callLifecycle';
import type { CallRecord } from './callRecord';

export type IngestOutcome = 'recorded' | 'updated' | 'duplicate' | 'filtered' | 'ignored';

export interface CallPipelineOptions {
  history: CallHistory;
  notifier: Notifier;
  /** Whether an agent-leg event is for this desktop (see `createCallFilter`). */
  isWanted: (event: CallEvent) => boolean;
  /** While true (paused, do not disturb) calls are recorded but nothing is shown. */
  isMuted?: () => boolean;
  log: Logger;
  burst?: { limit: number; windowMs: number };
  /** How many recent events are remembered to drop redeliveries (across restarts, through the history). */
  dedupeCapacity?: number;
}


/**
 * Turns TeleCMI events into call records and notifications. Synchronous and cheap, so the
 * receiver can answer TeleCMI right after it.
 */
export function createCallPipeline({
  history,
  notifier,
  isWanted,
  isMuted = () => false,
  log,
  burst = { limit: 5, windowMs: 1000 },
  dedupeCapacity = 20_000,
}: CallPipelineOptions) {
  const seen = new Map<string, true>(history.recentEventKeys().slice(-dedupeCapacity).map((key) => [key, true]));
  const dialledByConversation = new Map<string, PhoneNumber>();
  const announcer = createBurstCoalescer({ ...burst, emit: (notification) => notifier.notify(notification) });

  function announce(before: CallRecord | undefined, after: CallRecord): void {
    if (isMuted()) return;
    if (!before && after.state === 'ringing') announcer.ringing(after);
    // Only a call that was announced ringing is announced missed: a hangup that overtook its
    // other events, or that of a call cleared from the history, says nothing.
    else if (after.state === 'missed' && before?.state === 'ringing') notifier.notify({ type: 'missed', call: after });
  }

  function onAgentLeg(event: CallEvent): IngestOutcome {
    if (!isWanted(event)) return 'filtered';
    const before = history.get(event.callId);
    const dialled = dialledByConversation.get(event.conversationId);
    const after = before ? applyEvent(before, event) : newCallRecord(event, dialled);
    history.upsert(after);
    announce(before, after);
    return before ? 'updated' : 'recorded';
  }

  /** The caller leg and the call report complete the agent's calls of the same conversation. */
  function onConversationEvent(event: CallEvent): IngestOutcome {
    if (event.kind === 'caller-leg' && event.to) remember(dialledByConversation, event.conversationId, event.to);
    const calls = history.inConversation(event.conversationId);
    for (const before of calls) {
      const after = applyEvent(before, event);
      history.upsert(after);
      announce(before, after);
    }
    return calls.length > 0 ? 'updated' : 'ignored';
  }

  return {
    ingest(event: CallEvent): IngestOutcome {
      const key = eventKey(event);
      if (seen.has(key)) return 'duplicate';
      remember(seen, key, true, dedupeCapacity);
      history.rememberEventKey(key);
      const outcome = event.kind === 'agent-leg' ? onAgentLeg(event)
        : event.kind === 'outgoing' ? 'ignored'
        : onConversationEvent(event);
      log.debug('event processed', { kind: event.kind, status: event.status, outcome });
      return outcome;
    },

    /** Announces calls held back by burst coalescing; call it on shutdown. */
    flush(): void {
      announcer.flush();
    },
  };
}

/** Map insertion order is age: past capacity, the oldest entry goes. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, capacity = 1000): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value as K);
}

