import type { Logger } from '../log/logger';
import type { PhoneNumber } from '../phone/phoneNumberSchema';
import type { CallEvent } from '../telecmi/eventSchema';
import { eventKey } from '../telecmi/parseEvent';
import { createRedeliveryFilter } from '../telecmi/redeliveryFilter';
import { createAnnouncer } from './announcer';
import { completeCallBacks, createCallBackKeeper } from './callBacks';
import { newCallRecord, reconcile, sameCall } from './callLifecycle';
import type { Notifier } from './callNotification';
import type { CallRecord } from './callRecord';
import type { CallStore } from './callStore';
import { answeredAtOf, answererOf, extensionOf, learn, type ConversationFacts } from './conversation';
import { createConversationTracker } from './conversations';

/**
 * What became of an accepted event: `recorded` (a new call of this desktop's), `updated`, `held`
 * (a conversation event that came before any of this desktop's legs, kept for them), `filtered`
 * (another agent's leg: it only informs the conversation), `duplicate`, `ignored`.
 */
export type IngestOutcome = 'recorded' | 'updated' | 'held' | 'duplicate' | 'filtered' | 'ignored';

export interface CallPipelineOptions {
  history: CallStore;
  notifier: Notifier;
  /** Whether an agent leg is this desktop's (see `createCallFilter`); others only inform their conversation. */
  isWanted: (event: CallEvent) => boolean;
  /** While true (paused, do not disturb) calls are recorded but nothing is shown. */
  isMuted?: () => boolean;
  log: Logger;
  burst?: { limit: number; windowMs: number };
  /** How many recent events are remembered to drop redeliveries (across restarts, through the history). */
  dedupeCapacity?: number;
  /** How long a "missed" verdict waits for an `answered` that was sent before the hangup but arrived after it. */
  missedHoldMs?: number;
  /** How long a conversation untouched is kept in memory (its events that came before any agent leg with it). */
  earlyEventsTtlMs?: number;
  /** How long a conversation with no leg ringing or talking, and no word that it ended, waits before it is taken as ended. */
  conversationSilenceMs?: number;
  /** No phone rings longer: a leg ringing this long without an answer or hangup is over (and a caller waiting in a queue this long without a word). */
  maxRingMs?: number;
  /** Late events (a backlog after sleep) are summed up once this long after the last of them. */
  awaySummaryDelayMs?: number;
  /** The contacts a caller's number belongs to (a map read: it runs before the popup). */
  namesFor?: (phone: PhoneNumber | undefined) => readonly string[];
  /** A colleague's display name from this desktop's settings, by agent id. */
  agentNameOf?: (agent: string) => string | undefined;
  /** A call was announced ringing on its own (not in a burst's summary), or was answered; live (not late, not while muted): for the screen pop. */
  onLive?: (call: CallRecord, became: 'ringing' | 'answered') => void;
  now?: () => number;
}

/** Whether a leg is ringing now: started, neither answered nor ended. */
function rings(facts: ConversationFacts, legId: string): boolean {
  const leg = facts.legs.get(legId);
  return leg?.startedAt !== undefined && leg.answeredAt === undefined && leg.endedAt === undefined;
}

/** The newest calls read at opening for those still ringing. */
const openCallsRead = 500;

/** What else may come with an event: lateness, and what the team server knew of the caller and the agent. */
export interface IngestOptions {
  late?: boolean;
  callerNames?: readonly string[];
  agentName?: string;
}

/**
 * Turns the account's TeleCMI events into this desktop's call records and notifications: one
 * picture per conversation, from every leg, the caller leg and the reports, so each of its own
 * legs ends as what really happened. Synchronous and cheap, so the receiver can answer TeleCMI
 * right after it.
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
  conversationSilenceMs = 30_000,
  maxRingMs = 10 * 60_000,
  awaySummaryDelayMs = 1500,
  namesFor = () => [],
  agentNameOf = () => undefined,
  onLive,
  now = Date.now,
}: CallPipelineOptions) {
  const announcer = createAnnouncer({ store: history, notifier, isMuted, log, burst, missedHoldMs, awaySummaryDelayMs, onLive, now });
  const callBacks = createCallBackKeeper(history);
  const conversations = createConversationTracker({
    store: history,
    idleTtlMs: earlyEventsTtlMs,
    silenceMs: conversationSilenceMs,
    callerWaitingSilenceMs: maxRingMs,
    maxRingMs,
    onSilence: (facts) => decide(facts, undefined, { late: facts.late ?? false }),
    now,
  });
  /**
   * The events seen lately, so a redelivery is a duplicate across restarts too: read now, before
   * the first event (the history's thread read them while opening). Read in a later turn, they
   * waited for that thread's background reading and held up the first requests (~25 ms).
   */
  const redeliveries = createRedeliveryFilter({
    capacity: dedupeCapacity,
    earlier: () => {
      try {
        return history.recentEventKeys();
      } catch (error) {
        log.error('reading the recent event keys failed', { error: String(error) });
        return [];
      }
    },
  });
  redeliveries.load();
  let stopped = false;
  // Once the history knows every call: a conversation looked up before that costs a scan of the file.
  void history.allKnown().then(waitForOpenConversations);

  /** This desktop's contacts first; else the names the team server sent. */
  function callerNamesOf(event: CallEvent, fromServer: readonly string[] = []): readonly string[] {
    const own = namesFor(event.from);
    return own.length > 0 ? own : fromServer;
  }

  /** A colleague's name: this desktop's settings first, else the team server's. */
  const nameOf = (agent: string | undefined, fromServer?: string): string | undefined =>
    agent === undefined ? undefined : (agentNameOf(agent) ?? agentNameOf(extensionOf(agent)) ?? fromServer);

  /** A record as saved: a colleague named as this desktop's settings name them. */
  function named(call: CallRecord): CallRecord {
    if (!call.answeredBy) return call;
    const name = nameOf(call.answeredBy, call.answeredByName);
    return name === call.answeredByName ? call : { ...call, answeredByName: name };
  }

  /**
   * Brings each of this desktop's legs of the conversation up to date and tells what changed.
   * Returns whether any record changed.
   */
  function decide(facts: ConversationFacts, event: CallEvent | undefined, options: { late: boolean; created?: CallRecord }): boolean {
    facts.late = options.late;
    const records = history.inConversation(facts.id, { complete: options.created === undefined });
    if (options.created && !records.some((call) => call.id === options.created?.id)) records.push(options.created);
    const afters = records.map((before) =>
      // A new leg takes into its timeline what its conversation told before it.
      named(reconcile(before, facts, before === options.created ? facts.events : event ? [event] : [])),
    );
    const answeredHere = afters.some((call) => call.state === 'answered' || call.state === 'ended');
    let changed = false;
    records.forEach((before, index) => {
      const after = afters[index] as CallRecord;
      const fresh = before === options.created;
      if (!fresh && sameCall(before, after)) return;
      changed = true;
      history.upsert(after);
      announcer.changed(fresh ? undefined : before, after, { late: options.late, legRings: rings(facts, after.id), answeredHere });
      if (after.callBack?.state === 'pending' && (fresh || before.callBack?.state !== 'pending')) callBacks.becameDue(after);
    });
    callerAnswered(facts);
    return changed;
  }

  /** The caller's conversation was answered: their calls missed before it are called back. */
  function callerAnswered(facts: ConversationFacts): void {
    const at = answeredAtOf(facts);
    const digits = facts.caller?.digits;
    if (at === undefined || !digits) return;
    const answerer = answererOf(facts);
    callBacks.answered({ digits, at, by: answerer?.agent, byName: nameOf(answerer?.agent, answerer?.agentName), conversationId: facts.id });
  }

  /** An agent's outgoing call to a number that is due a call back. */
  function onOutgoing(event: CallEvent): IngestOutcome {
    const digits = event.to?.digits;
    if (event.status !== 'started' || !digits) return 'ignored';
    const done = callBacks.calledBack({ digits, at: event.time.getTime(), by: event.agent, byName: nameOf(event.agent) });
    return done.length > 0 ? 'updated' : 'ignored';
  }

  /**
   * The calls still ringing when the desktop stopped (within a conversation's memory): their
   * conversations wait again for their end, so none stays "ringing" for good.
   */
  async function waitForOpenConversations(): Promise<void> {
    if (stopped) return;
    try {
      const recent = await history.recent(openCallsRead);
      if (stopped) return;
      const open = recent.filter((call) => call.state === 'ringing' && now() - call.updatedAt < earlyEventsTtlMs);
      for (const id of new Set(open.map((call) => call.conversationId))) conversations.settle(conversations.get(id));
    } catch (error) {
      // Stopped meanwhile: the history closed under the reading, which is no failure.
      if (!stopped) log.error('reading the calls still ringing failed', { error: String(error) });
    }
  }

  function onConversationEvent(event: CallEvent, { late = false, callerNames, agentName }: IngestOptions): IngestOutcome {
    const ownLeg = (event.kind === 'agent-leg' || event.kind === 'agent-report') && isWanted(event);
    const known = ownLeg ? history.get(event.callId) : undefined;
    // An agent's report names only its leg: before the leg is known, it waits for it.
    const legsConversation =
      event.kind === 'agent-report' && !event.knowsConversation ? conversations.conversationOfLeg(event.callId) : undefined;
    if (event.kind === 'agent-report' && !event.knowsConversation && !known && !legsConversation) {
      conversations.holdReport(event);
      return 'held';
    }
    const id = known?.conversationId ?? legsConversation ?? event.conversationId;
    // A new leg's conversation is usually new too: its popup does not wait for a large history's reading.
    const facts = conversations.get(id, { complete: !(ownLeg && !known) });
    if (event.kind === 'agent-leg') for (const report of conversations.takeReports(event.callId)) learn(facts, report);
    learn(facts, event, agentName ?? nameOf(event.agent));
    const created =
      ownLeg && !known && event.kind === 'agent-leg'
        ? newCallRecord({ ...event, conversationId: id }, facts.dialled, callerNamesOf(event, callerNames))
        : undefined;
    const changed = decide(facts, event, { late, created });
    conversations.settle(facts);
    if (created) return 'recorded';
    if (event.kind === 'agent-leg' && !ownLeg) return 'filtered';
    return changed || history.inConversation(id, { complete: false }).length > 0 ? 'updated' : 'held';
  }

  return {
    /** `late`: the event reached this desktop long after it happened (see `isLate`): recorded, summed up, not popped up. */
    ingest(event: CallEvent, options: IngestOptions = {}): IngestOutcome {
      const key = eventKey(event);
      if (!redeliveries.admit(key)) return 'duplicate';
      history.rememberEventKey(key);
      const outcome =
        event.kind === 'outgoing' ? onOutgoing(event) : event.kind === 'outgoing-report' ? 'ignored' : onConversationEvent(event, options);
      log.debug('event processed', { kind: event.kind, status: event.status, outcome });
      return outcome;
    },

    /** A person says these calls were called back. */
    markCalledBack(ids: readonly string[]): number {
      return completeCallBacks(history, ids, { state: 'done', at: now(), how: 'marked' }).length;
    },

    /** Announces calls held back (burst coalescing, missed verdicts); call it on shutdown. */
    flush(): void {
      stopped = true;
      conversations.stop();
      announcer.flush();
    },
  };
}
