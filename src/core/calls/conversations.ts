import { BoundedMap } from '../collections/boundedMap';
import type { CallEvent } from '../telecmi/eventSchema';
import type { CallStore } from './callStore';
import { endBySilence, factsFromRecords, hasLiveLeg, newConversation, type ConversationFacts } from './conversation';

export interface ConversationTrackerOptions {
  store: Pick<CallStore, 'get' | 'inConversation'>;
  /** A conversation untouched this long is forgotten: its records still hold what it decided. */
  idleTtlMs: number;
  /** A conversation with no leg ringing or talking, and no word that it ended, has ended after this long. */
  silenceMs: number;
  /** The same, while the caller leg says the caller is still there (a queue): only its hangup should end it. */
  callerWaitingSilenceMs: number;
  /** No phone rings longer: a leg ringing this long without an answer or a hangup is over. */
  maxRingMs: number;
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
export function createConversationTracker({
  store,
  idleTtlMs,
  silenceMs,
  callerWaitingSilenceMs,
  maxRingMs,
  onSilence,
  now,
}: ConversationTrackerOptions) {
  const conversations = new BoundedMap<string, { facts: ConversationFacts; touchedAt: number }>(conversationsKept);
  /** Agent legs -> their conversation: an agent's report names only its leg. */
  const legs = new BoundedMap<string, string>(conversationsKept * 4);
  /** Agent reports that came before their leg's events, kept until the leg tells its conversation. */
  const reportsWaiting = new BoundedMap<string, { reports: CallEvent[]; keptAt: number }>(conversationsKept);
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
    if (facts.endedBy) return;
    if (hasLiveLeg(facts, now(), maxRingMs)) return settle(facts);
    endBySilence(facts, now());
    onSilence(facts);
  }

  function wait(id: string, ms: number): void {
    clearTimeout(silences.get(id));
    silences.delete(id);
    const timer = setTimeout(() => endAfterSilence(id), Math.max(0, ms));
    timer.unref();
    silences.set(id, timer);
    // As bounded as the conversations: the oldest wait is given up.
    if (silences.size > conversationsKept) {
      const [oldest, oldestTimer] = silences.entries().next().value as [string, NodeJS.Timeout];
      clearTimeout(oldestTimer);
      silences.delete(oldest);
    }
  }

  /**
   * After an event: remembers its legs, and waits for the end: for silence when no leg rings or
   * talks any more, or for the longest ring when one still rings.
   */
  function settle(facts: ConversationFacts): void {
    for (const legId of facts.legs.keys()) legs.set(legId, facts.id);
    clearTimeout(silences.get(facts.id));
    silences.delete(facts.id);
    if (facts.endedBy || facts.legs.size === 0) return;
    const legsNow = [...facts.legs.values()];
    if (legsNow.some((leg) => leg.answeredAt !== undefined && leg.endedAt === undefined)) return;
    if (hasLiveLeg(facts, now(), maxRingMs)) {
      const ringingSince = Math.max(
        ...legsNow.flatMap((leg) => (leg.startedAt !== undefined && leg.endedAt === undefined ? [leg.startedAt] : [])),
      );
      return wait(facts.id, ringingSince + maxRingMs - now());
    }
    wait(facts.id, facts.callerWaiting ? callerWaitingSilenceMs : silenceMs);
  }

  return {
    get,
    settle,

    /** The conversation of an agent leg, from memory or its saved record; undefined when neither knows it. */
    conversationOfLeg: (legId: string): string | undefined => legs.get(legId) ?? store.get(legId)?.conversationId,

    /** An agent's report whose leg is not known yet: kept for the leg's first event. */
    holdReport(report: CallEvent): void {
      const kept = reportsWaiting.get(report.callId);
      reportsWaiting.set(report.callId, { reports: [...(kept?.reports ?? []), report], keptAt: kept?.keptAt ?? now() });
    },

    /** The reports that came before this leg's events, still fresh. */
    takeReports(legId: string): CallEvent[] {
      const kept = reportsWaiting.get(legId);
      reportsWaiting.delete(legId);
      return kept && now() - kept.keptAt <= idleTtlMs ? kept.reports : [];
    },

    /** Shutdown: nothing waits any more. */
    stop(): void {
      for (const timer of silences.values()) clearTimeout(timer);
      silences.clear();
    },
  };
}

export type ConversationTracker = ReturnType<typeof createConversationTracker>;
