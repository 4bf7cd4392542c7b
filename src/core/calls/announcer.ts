import { errorMessage } from '../log/errorMessage';
import type { Logger } from '../log/logger';
import { createBurstCoalescer } from './burstCoalescer';
import { callerHistoryOf, localClock } from './callerHistory';
import type { CallNotification, Notifier } from './callNotification';
import type { CallRecord } from './callRecord';
import type { CallStore } from './callStore';

export interface AnnouncerOptions {
  store: Pick<CallStore, 'get' | 'callerCalls'>;
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
export function createAnnouncer({ store, notifier, isMuted, log, burst, missedHoldMs, awaySummaryDelayMs, onLive, now }: AnnouncerOptions) {
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
    const calls = [...away].flatMap((id) => store.get(id) ?? []);
    away.clear();
    if (calls.length > 0 && !isMuted()) notifier.notify({ type: 'away', calls });
  }

  /** A late `answered` turns a missed call into an ended one: the verdict waits for it briefly. */
  function holdMissed(callId: string): void {
    if (heldMissed.has(callId)) return;
    const timer = setTimeout(() => attempt('a missed call', () => announceMissed(callId)), missedHoldMs);
    timer.unref();
    heldMissed.set(callId, timer);
  }

  function announceMissed(callId: string): void {
    clearTimeout(heldMissed.get(callId));
    heldMissed.delete(callId);
    const call = store.get(callId);
    if (call?.state === 'missed' && !isMuted()) notifier.notify(withCallerHistory({ type: 'missed', call }));
  }

  return {
    /**
     * A call changed. `legRings`: its own leg is ringing now (a leg first seen at its hangup never
     * rings); `ringsAlready`: another of this desktop's legs of the same conversation is ringing on
     * screen (a ring-all to two of its agents rings once).
     */
    changed(
      before: CallRecord | undefined,
      after: CallRecord,
      { late, legRings, ringsAlready }: { late: boolean; legRings: boolean; ringsAlready: boolean },
    ): void {
      if (late) return noteAway(after.id);
      if (isMuted()) return;
      if (after.state === 'answered' && before?.state !== 'answered') onLive?.(after, 'answered');
      if (!before) {
        if (after.state === 'ringing' && legRings && !ringsAlready) bursts.ringing(after);
        return;
      }
      // Only a call that was announced is announced again: a verdict on a call never seen ringing says nothing.
      const held = heldMissed.has(after.id);
      const wasOnScreen = before.state === 'ringing' || held || (before.state === 'missed' && after.state === 'declined');
      if (!wasOnScreen || before.state === after.state) return;
      if (after.state === 'missed') return holdMissed(after.id);
      // A missed verdict still held is overtaken by what came meanwhile.
      clearTimeout(heldMissed.get(after.id));
      heldMissed.delete(after.id);
      if (after.state === 'answered-elsewhere' || after.state === 'declined') {
        attempt('a notification', () => notifier.notify({ type: after.state as 'answered-elsewhere' | 'declined', call: after }));
      }
    },

    /** Announces calls held back (burst coalescing, missed verdicts, the away summary); call it on shutdown. */
    flush(): void {
      shuttingDown = true;
      bursts.flush();
      for (const callId of [...heldMissed.keys()]) attempt('a missed call', () => announceMissed(callId));
      attempt('the away summary', announceAway);
    },
  };
}
