import { BoundedMap } from '../collections/boundedMap';
import type { CallStore } from './callStore';
import { endBySilence, factsFromRecords, hasLiveLeg, newConversation, type ConversationFacts } from './conversation';

export interface ConversationTrackerOptions {
  store: Pick<CallStore, 'get' | 'inConversation'>;
  /** A conversation untouched this long is forgotten: its records still hold what it decided. */
  idleTtlMs: number;
  /** A conversation with no leg ringing or talking, and no word that it ended, has ended after this long. */
  silenceMs: number;
  /** A conversation ended by silence: its legs are to be decided again. */
  onSilence: (facts: ConversationFacts) => void;
  now: () => number;
}

/** Conversations kept in memory at once: bounded against a flood of unmatched events. */
const conversationsKept = 5000;

/**
 * The conversations in progress, in memory, bounded and expiring. One asked for that is not in
 * memory (a restart, or forgotten) starts from what its saved records tell.
 */
export function createConversationTracker({ store, idleTtlMs, silenceMs, onSilence, now }: ConversationTrackerOptions) {
  const conversations = new BoundedMap<string, { facts: ConversationFacts; touchedAt: number }>(conversationsKept);
  /** Agent legs -> their conversation: an agent's report names only its leg. */
  const legs = new BoundedMap<string, string>(conversationsKept * 4);
  const silences = new Map<string, NodeJS.Timeout>();

  /** `complete: false`: seeded only from what the history knows without finishing its reading (a new leg's popup must not wait). */
  function get(id: string, { complete = true }: { complete?: boolean } = {}): ConversationFacts {
    const kept = conversations.get(id);
    const facts = kept && now() - kept.touchedAt <= idleTtlMs ? kept.facts : seeded(id, complete);
    conversations.set(id, { facts, touchedAt: now() });
    return facts;
  }

  function seeded(id: string, complete: boolean): ConversationFacts {
    const records = store.inConversation(id, { complete });
    return records.length > 0 ? factsFromRecords(id, records) : newConversation(id);
  }

  function endAfterSilence(id: string): void {
    silences.delete(id);
    const facts = get(id);
    if (hasLiveLeg(facts) || facts.endedBy) return;
    endBySilence(facts, now());
    onSilence(facts);
  }

  return {
    get,

    /** The conversation of an agent leg, from memory or its saved record; undefined when neither knows it. */
    conversationOfLeg: (legId: string): string | undefined => legs.get(legId) ?? store.get(legId)?.conversationId,

    /** After an event: remembers its legs, and waits for silence when no leg rings or talks any more. */
    settle(facts: ConversationFacts): void {
      for (const legId of facts.legs.keys()) legs.set(legId, facts.id);
      clearTimeout(silences.get(facts.id));
      silences.delete(facts.id);
      if (facts.endedBy || facts.legs.size === 0 || hasLiveLeg(facts)) return;
      const timer = setTimeout(() => endAfterSilence(facts.id), silenceMs);
      timer.unref();
      silences.set(facts.id, timer);
    },

    /** Shutdown: nothing waits any more. */
    stop(): void {
      for (const timer of silences.values()) clearTimeout(timer);
      silences.clear();
    },
  };
}

export type ConversationTracker = ReturnType<typeof createConversationTracker>;
