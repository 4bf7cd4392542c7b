import type { Logger } from '../log/logger';
import type { PhoneNumber } from '../phone/phoneNumberSchema';
import { eventKey } from '../telecmi/parseEvent';
import { createRedeliveryFilter } from '../telecmi/redeliveryFilter';
import { BoundedMap } from '../collections/boundedMap';
import type { CallEvent } from '../telecmi/eventSchema';
import { createBurstCoalescer } from './burstCoalescer';
import { callerHistoryOf, localClock } from './callerHistory';
import type { CallNotification, Notifier } from './callNotification';
import { applyEvent, newCallRecord } from './callLifecycle';
import type { CallRecord } from './callRecord';
import type { CallStore } from './callStore';
import { errorMessage } from '../log/errorMessage';

/**
 * What became of an accepted event. `held`: a caller-leg event or call report that came before
 * its agent leg, kept to apply to it.
 */
export type IngestOutcome = 'recorded' | 'updated' | 'held' | 'duplicate' | 'filtered' | 'ignored';

export interface CallPipelineOptions {
  history: CallStore;
  notifier: Notifier;
  /** Whether an agent-leg event is for this desktop (see `createCallFilter`). */
  isWanted: (event: CallEvent) => boolean;
  /** While true (paused, do not disturb) calls are recorded but nothing is shown. */
  isMuted?: () => boolean;
  log: Logger;
  burst?: { limit: number; windowMs: number };
  /** How many recent events are remembered to drop redeliveries (across restarts, through the history). */
  dedupeCapacity?: number;
  /** How long a "missed" verdict waits for an `answered` that was sent before the hangup but arrived after it. */
  missedHoldMs?: number;
  /** How long a conversation's events that came before its agent leg are kept for it. */
  earlyEventsTtlMs?: number;
  /** Late events (a backlog after sleep) are summed up once this long after the last of them. */
  awaySummaryDelayMs?: number;
  /** The contacts a caller's number belongs to (a map read: it runs before the popup). */
  namesFor?: (phone: PhoneNumber | undefined) => readonly string[];
  /** A call was announced ringing on its own (not in a burst's summary), or was answered; live (not late, not while muted): for the screen pop. */
  onLive?: (call: CallRecord, became: 'ringing' | 'answered') => void;
  now?: () => number;
}

/** What else may come with an event: lateness, and the names the team server found for the caller. */
export interface IngestOptions {
  late?: boolean;
  callerNames?: readonly string[];
}

/** Conversations whose early events are kept at once: bounded against a flood of unmatched events. */
const earlyConversationsKept = 1000;
/** Conversations whose dialled number is remembered for their agent legs. */
const conversationsKept = 1000;

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
  missedHoldMs = 1500,
  earlyEventsTtlMs = 10 * 60_000,
  awaySummaryDelayMs = 1500,
  namesFor = () => [],
  onLive,
  now = Date.now,
}: CallPipelineOptions) {
  const dialledByConversation = new BoundedMap<string, PhoneNumber>(conversationsKept);
  const earlyEvents = new BoundedMap<string, { events: CallEvent[]; keptAt: number }>(earlyConversationsKept);
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
  /**
   * The events seen lately, so a redelivery is a duplicate across restarts too. Read from the
   * history in the turn after opening, not during it (20,000 keys are a tenth of a second of
   * start-up at 100,000 calls); an event that comes sooner reads them first.
   */
  const redeliveries = createRedeliveryFilter({
    capacity: dedupeCapacity,
    earlier: () => {
      let keys: string[] = [];
      attempt('reading the recent event keys', () => (keys = history.recentEventKeys()));
      return keys;
    },
  });
  setImmediate(redeliveries.load).unref();

  const announcer = createBurstCoalescer({
    ...burst,
    emit: (notification) => {
      attempt('a notification', () => notifier.notify(withCallerHistory(notification)));
      // A burst summed up pops nothing: only a call announced on its own rings in the CRM, and
      // only while it rings (one held back by the burst may be over by now), never at shutdown.
      attempt('the screen pop', () => {
        if (notification.type === 'ringing' && !shuttingDown && !isMuted() && history.get(notification.call.id)?.state === 'ringing') {
          onLive?.(notification.call, 'ringing');
        }
      });
    },
  });

  /** A call's popup says what this desktop knows of its caller, from the caller's other calls; without it when that cannot be read. */
  function withCallerHistory(notification: CallNotification): CallNotification {
    if (notification.type !== 'ringing' && notification.type !== 'missed') return notification;
    let callerHistory: string | undefined;
    attempt("the caller's history line", () => (callerHistory = callerHistoryOf(notification.call, history, localClock(new Date(now())))));
    return callerHistory ? { ...notification, callerHistory } : notification;
  }

  function announce(before: CallRecord | undefined, after: CallRecord, late: boolean): void {
    if (late) return noteAway(after.id);
    if (isMuted()) return;
    if (after.state === 'answered' && before?.state !== 'answered') onLive?.(after, 'answered');
    if (!before && after.state === 'ringing') announcer.ringing(after);
    // Only a call that was announced ringing is announced missed: a hangup that overtook its
    // other events, or that of a call cleared from the history, says nothing.
    else if (after.state === 'missed' && before?.state === 'ringing') holdMissed(after.id);
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
    const calls = [...away].flatMap((id) => history.get(id) ?? []);
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
    const call = history.get(callId);
    if (call?.state === 'missed' && !isMuted()) notifier.notify(withCallerHistory({ type: 'missed', call }));
  }

  /** The events of this conversation that came before any of its agent legs, still fresh. */
  function earlyEventsOf(conversationId: string): CallEvent[] {
    const kept = earlyEvents.get(conversationId);
    if (!kept || now() - kept.keptAt <= earlyEventsTtlMs) return kept?.events ?? [];
    earlyEvents.delete(conversationId);
    return [];
  }

  function keepEarly(event: CallEvent): void {
    const events = [...earlyEventsOf(event.conversationId), event];
    earlyEvents.set(event.conversationId, { events, keptAt: now() });
  }

  /** This desktop's contacts first; else the names the team server sent. */
  function callerNamesOf(event: CallEvent, fromServer: readonly string[] = []): readonly string[] {
    const own = namesFor(event.from);
    return own.length > 0 ? own : fromServer;
  }

  function onAgentLeg(event: CallEvent, { late = false, callerNames }: IngestOptions): IngestOutcome {
    if (!isWanted(event)) return 'filtered';
    const before = history.get(event.callId);
    const dialled = dialledByConversation.get(event.conversationId);
    // A caller who hung up, or a report of a missed call, that came first: the call is over already.
    const after = before
      ? applyEvent(before, event)
      : earlyEventsOf(event.conversationId).reduce(applyEvent, newCallRecord(event, dialled, callerNamesOf(event, callerNames)));
    history.upsert(after);
    announce(before, after, late);
    return before ? 'updated' : 'recorded';
  }

  /** The caller leg and the call report complete the agent's calls of the same conversation. */
  function onConversationEvent(event: CallEvent, late: boolean): IngestOutcome {
    if (event.kind === 'caller-leg' && event.to) dialledByConversation.set(event.conversationId, event.to);
    const calls = history.inConversation(event.conversationId);
    for (const before of calls) {
      const after = applyEvent(before, event);
      history.upsert(after);
      announce(before, after, late);
    }
    if (calls.length > 0) return 'updated';
    keepEarly(event);
    return 'held';
  }

  return {
    /** `late`: the event reached this desktop long after it happened (see `isLate`): recorded, summed up, not popped up. */
    ingest(event: CallEvent, options: IngestOptions = {}): IngestOutcome {
      const key = eventKey(event);
      if (!redeliveries.admit(key)) return 'duplicate';
      history.rememberEventKey(key);
      const outcome =
        event.kind === 'agent-leg'
          ? onAgentLeg(event, options)
          : event.kind === 'outgoing'
            ? 'ignored'
            : onConversationEvent(event, options.late ?? false);
      log.debug('event processed', { kind: event.kind, status: event.status, outcome });
      return outcome;
    },

    /** Announces calls held back (burst coalescing, missed verdicts); call it on shutdown. */
    flush(): void {
      shuttingDown = true;
      announcer.flush();
      for (const callId of [...heldMissed.keys()]) attempt('a missed call', () => announceMissed(callId));
      attempt('the away summary', announceAway);
    },
  };
}
