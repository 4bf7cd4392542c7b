import { BoundedMap } from '../collections/boundedMap';
import { errorMessage } from '../log/errorMessage';
import type { Logger } from '../log/logger';
import { createBurstCoalescer } from './burstCoalescer';
import { callerHistoryOf, localClock } from './callerHistory';
import type { CallNotification, Notifier } from './callNotification';
import type { CallRecord } from './callRecord';
import type { CallStore } from './callStore';

export interface AnnouncerOptions {
  store: Pick<CallStore, 'get' | 'callerCounts'>;
  notifier: Notifier;
  isMuted: () => boolean;
  log: Logger;
  burst: { limit: number; windowMs: number };
  /** How long a "missed" verdict waits for an `answered` that was sent before the hangup but arrived after it. */
  missedHoldMs: number;
  /** Late events (a backlog after sleep) are summed up once this long after the last of them. */
  awaySummaryDelayMs: number;
  onLive?: (call: CallRecord, became: 'ringing' | 'answered') => void;
  now: () => number;
}

/**
 * What this desktop is told as its calls change: a ringing popup for a new call of its own (in
 * bursts, a summary), replaced by "Missed call", "Declined" or "Answered by …" as the conversation
 * decides; a backlog that arrives late, once, as "N calls while you were away".
 */
type Verdict = 'missed' | 'declined' | 'answered-elsewhere';

/** Conversations whose popup is remembered: far more than ring at once on one desktop. */
const conversationsShown = 1000;

export function createAnnouncer({ store, notifier, isMuted, log, burst, missedHoldMs, awaySummaryDelayMs, onLive, now }: AnnouncerOptions) {
  /**
   * What each conversation shows on this desktop: the call its popup is for, and what it says. One
   * popup per conversation, however many of this desktop's agents it rang.
   */
  const onScreen = new BoundedMap<string, { callId: string; says: 'ringing' | 'answered' | Verdict }>(conversationsShown);
  const heldMissed = new Map<string, NodeJS.Timeout>();
  const away = new Set<string>();
  let awayTimer: NodeJS.Timeout | undefined;
  /** Set by `flush` on shutdown: what it announces opens nothing. */
  let shuttingDown = false;

  /**
   * Announcing runs from timers and at shutdown too: what fails is logged, never thrown (out of a
   * timer it would stop `serve`; at shutdown it would keep the history from being closed).
   */
  function attempt(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      log.error(`${what} failed`, { error: errorMessage(error) });
    }
  }

  const bursts = createBurstCoalescer({
    ...burst,
    emit: (notification) => {
      attempt('a notification', () => notifier.notify(withCallerHistory(notification)));
      // A burst summed up pops nothing: only a call announced on its own rings in the CRM, and
      // only while it rings (one held back by the burst may be over by now), never at shutdown.
      attempt('the screen pop', () => {
        if (notification.type === 'ringing' && !shuttingDown && !isMuted() && store.get(notification.call.id)?.state === 'ringing') {
          onLive?.(notification.call, 'ringing');
        }
      });
    },
  });

  /** A call's popup says what this desktop knows of its caller, from the caller's other calls; without it when that cannot be read. */
  function withCallerHistory(notification: CallNotification): CallNotification {
    if (notification.type !== 'ringing' && notification.type !== 'missed') return notification;
    let callerHistory: string | undefined;
    attempt("the caller's history line", () => (callerHistory = callerHistoryOf(notification.call, store, localClock(new Date(now())))));
    return callerHistory ? { ...notification, callerHistory } : notification;
  }

  /** A backlog is announced once, when it stops arriving: never as stale ringing popups. */
  function noteAway(callId: string): void {
    away.add(callId);
    clearTimeout(awayTimer);
    awayTimer = setTimeout(() => attempt('the away summary', announceAway), awaySummaryDelayMs);
    awayTimer.unref();
  }

  function announceAway(): void {
    clearTimeout(awayTimer);
    const byConversation = new Map([...away].flatMap((id) => store.get(id) ?? []).map((call) => [call.conversationId, call]));
    away.clear();
    const calls = [...byConversation.values()];
    if (calls.length > 0 && !isMuted()) notifier.notify({ type: 'away', calls });
  }

  function cancelMissed(conversationId: string): void {
    clearTimeout(heldMissed.get(conversationId));
    heldMissed.delete(conversationId);
  }

  /** A late `answered` turns a missed call into an ended one: the verdict waits for it briefly. */
  function holdMissed(conversationId: string): void {
    if (heldMissed.has(conversationId)) return;
    const timer = setTimeout(() => attempt('a missed call', () => announceMissed(conversationId)), missedHoldMs);
    timer.unref();
    heldMissed.set(conversationId, timer);
  }

  function announceMissed(conversationId: string): void {
    cancelMissed(conversationId);
    const shown = onScreen.get(conversationId);
    const call = shown && store.get(shown.callId);
    if (!shown || call?.state !== 'missed' || isMuted()) return;
    shown.says = 'missed';
    notifier.notify(withCallerHistory({ type: 'missed', call }));
  }

  return {
    /**
     * A call changed. `legRings`: its own leg is ringing now (a leg first seen at its hangup never
     * rings); `answeredHere`: one of this desktop's legs of the conversation was answered, so a
     * colleague's answer to another of them is no news.
     */
    changed(
      before: CallRecord | undefined,
      after: CallRecord,
      { late, legRings, answeredHere }: { late: boolean; legRings: boolean; answeredHere: boolean },
    ): void {
      // A backlog is summed up once: what its calls later turn out to be only updates the list.
      if (late) {
        if (!before) noteAway(after.id);
        return;
      }
      if (isMuted()) return;
      if (after.state === 'answered' && before?.state !== 'answered') onLive?.(after, 'answered');
      const shown = onScreen.get(after.conversationId);
      if (!before) {
        if (after.state !== 'ringing' || !legRings || shown) return;
        onScreen.set(after.conversationId, { callId: after.id, says: 'ringing' });
        return bursts.ringing(after);
      }
      // Only a conversation that was announced is announced again: a verdict on a call never seen ringing says nothing.
      if (!shown || before.state === after.state) return;
      if (answeredHere) {
        cancelMissed(after.conversationId);
        shown.says = 'answered';
        return;
      }
      const verdict =
        after.state === 'missed' || after.state === 'declined' || after.state === 'answered-elsewhere' ? after.state : undefined;
      if (!verdict || verdict === shown.says) return;
      if (verdict === 'missed') return holdMissed(after.conversationId);
      // A missed verdict still held is overtaken by what came meanwhile.
      cancelMissed(after.conversationId);
      shown.says = verdict;
      const call = after.id === shown.callId ? after : (store.get(shown.callId) ?? after);
      attempt('a notification', () =>
        notifier.notify({
          type: verdict,
          call: { ...call, state: verdict, answeredBy: after.answeredBy, answeredByName: after.answeredByName },
        }),
      );
    },

    /** Announces calls held back (burst coalescing, missed verdicts, the away summary); call it on shutdown. */
    flush(): void {
      shuttingDown = true;
      bursts.flush();
      for (const conversationId of [...heldMissed.keys()]) attempt('a missed call', () => announceMissed(conversationId));
      attempt('the away summary', announceAway);
    },
  };
}
