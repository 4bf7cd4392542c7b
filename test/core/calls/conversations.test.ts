import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallFilter } from '../../../src/core/calls/callFilter';
import { describeNotification } from '../../../src/core/calls/callNotification';
import { createConversationTracker } from '../../../src/core/calls/conversations';
import { newConversation } from '../../../src/core/calls/conversation';
import type { CallEvent } from '../../../src/core/telecmi/eventSchema';
import { agentCall, eventFrom } from '../../support/events';
import { pipelineInMemory } from '../../support/pipeline';

const caller = '919876543210';
const ann = { user: '204_2222223', team: 'Sales_2222223' };
const ravi = { user: '205_2222223', team: 'Sales_2222223' };

/** One caller's conversation ringing two agents: each leg's events, the caller leg and the reports. */
function conversation(id: string, from = caller) {
  const leg = (agent: typeof ann) => agentCall(`${id}-${agent.user}`, { conversation_uuid: id, from, ...agent });
  const mine = leg(ann);
  const theirs = leg(ravi);
  const later = (event: CallEvent, ms: number): CallEvent => ({ ...event, time: new Date(event.time.getTime() + ms) });
  return {
    mine,
    theirs,
    myId: mine.started.callId,
    callerHangup: eventFrom('leg-a-waiting', { cmiuuid: id, conversation_uuid: id, from, status: 'hangup' }),
    missedReport: (changes = {}) => eventFrom('cdr-incoming-missed', { cmiuuid: id, conversation_uuid: id, from, ...changes }),
    answeredReport: (user: string) =>
      eventFrom('cdr-incoming-missed', { cmiuuid: id, conversation_uuid: id, from, status: 'answered', answeredsec: 30, user }),
    userReport: (agent: typeof ann, reason: string) =>
      eventFrom('cdr-incoming-user-missed', { cmiuuid: leg(agent).started.callId, from, ...agent, hangup_reason: reason }),
    later,
  };
}

const kinds = (shown: Array<{ type: string }>) => shown.map((notification) => notification.type);

describe('a call is a conversation', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  /** Ann's desktop: her legs are hers; every other agent's only informs the conversation. */
  const annsDesktop = () => pipelineInMemory({ isWanted: createCallFilter({ agents: ['204'], teams: [] }) });

  it('rings only for my leg of a ring-all, and says "Answered by" when a colleague answers, never "missed"', () => {
    const { notifier, history, pipeline } = annsDesktop();
    const call = conversation('ring-all');
    expect(pipeline.ingest(call.mine.started)).toBe('recorded');
    expect(pipeline.ingest(call.theirs.started)).toBe('filtered');
    pipeline.ingest(call.theirs.answered);
    pipeline.ingest(call.mine.hangup);
    pipeline.ingest(call.theirs.hangup);
    pipeline.ingest(call.callerHangup);
    vi.advanceTimersByTime(60_000);
    expect(history.get(call.myId)).toMatchObject({ state: 'answered-elsewhere', answeredBy: '205_2222223' });
    expect(history.get(call.myId)?.callBack).toBeUndefined();
    expect(history.size()).toBe(1);
    expect(kinds(notifier.shown)).toEqual(['ringing', 'answered-elsewhere']);
    expect(describeNotification(notifier.shown[1]!).title).toBe('Answered by 205');
  });

  it('names the colleague who answered from the settings or the team server, else by extension', () => {
    const { notifier, pipeline } = pipelineInMemory({
      isWanted: createCallFilter({ agents: ['204'], teams: [] }),
      agentNameOf: (agent) => (agent === '205' ? 'Ravi Kumar' : undefined),
    });
    const call = conversation('named');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.theirs.answered);
    expect(notifier.shown.at(-1)).toMatchObject({
      type: 'answered-elsewhere',
      call: { answeredBy: '205_2222223', answeredByName: 'Ravi Kumar' },
    });
    expect(describeNotification(notifier.shown.at(-1)!).title).toBe('Answered by Ravi Kumar');
    const fromServer = annsDesktop();
    const other = conversation('named-by-server');
    fromServer.pipeline.ingest(other.mine.started);
    fromServer.pipeline.ingest(other.theirs.answered, { agentName: 'Ravi (Sales)' });
    expect(describeNotification(fromServer.notifier.shown.at(-1)!).title).toBe('Answered by Ravi (Sales)');
  });

  it('says "Answered by" in a hunt group, when my leg timed out and a colleague answered 2.5 s later', () => {
    const { notifier, history, pipeline } = annsDesktop();
    const call = conversation('hunt');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.mine.hangup);
    vi.advanceTimersByTime(2500);
    pipeline.ingest(call.later(call.theirs.started, 22_000));
    expect(history.get(call.myId)?.state).toBe('ringing');
    vi.advanceTimersByTime(8000);
    pipeline.ingest(call.later(call.theirs.answered, 30_000));
    vi.advanceTimersByTime(120_000);
    expect(history.get(call.myId)).toMatchObject({ state: 'answered-elsewhere', answeredBy: '205_2222223' });
    expect(kinds(notifier.shown)).toEqual(['ringing', 'answered-elsewhere']);
  });

  it('says "Missed call" once when the conversation ends with nobody answering, and keeps it to call back', () => {
    const { notifier, history, pipeline } = annsDesktop();
    const call = conversation('nobody');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.theirs.started);
    pipeline.ingest(call.mine.hangup);
    pipeline.ingest(call.theirs.hangup);
    expect(history.get(call.myId)?.state).toBe('ringing');
    pipeline.ingest(call.callerHangup);
    pipeline.ingest(call.missedReport());
    vi.advanceTimersByTime(5000);
    expect(history.get(call.myId)).toMatchObject({ state: 'missed', callBack: { state: 'pending' }, waitedSec: 21 });
    expect(history.callBackCount()).toBe(1);
    expect(kinds(notifier.shown)).toEqual(['ringing', 'missed']);
  });

  it('decides "missed" after a silence when neither the caller leg nor a report says the conversation ended', () => {
    const { notifier, history, pipeline } = annsDesktop();
    const call = conversation('silent');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.mine.hangup);
    vi.advanceTimersByTime(29_000);
    expect(history.get(call.myId)?.state).toBe('ringing');
    vi.advanceTimersByTime(3000);
    expect(history.get(call.myId)).toMatchObject({ state: 'missed', callBack: { state: 'pending' } });
    expect(kinds(notifier.shown)).toEqual(['ringing', 'missed']);
  });

  it('says "Declined" when I rejected it, and keeps it to call back when nobody else answered', () => {
    const { notifier, history, pipeline } = annsDesktop();
    const call = conversation('declined');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.mine.hangup);
    pipeline.ingest(call.userReport(ann, 'sent_reject'));
    expect(kinds(notifier.shown)).toEqual(['ringing', 'declined']);
    pipeline.ingest(call.callerHangup);
    vi.advanceTimersByTime(5000);
    expect(history.get(call.myId)).toMatchObject({ state: 'declined', hangupReason: 'sent_reject', callBack: { state: 'pending' } });
    expect(kinds(notifier.shown)).toEqual(['ringing', 'declined']);
  });

  it('says the caller left a voicemail', () => {
    const { notifier, history, pipeline } = annsDesktop();
    const call = conversation('voicemail');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.mine.hangup);
    pipeline.ingest(call.missedReport({ voicemail: true, voicename: 'a.mp3' }));
    vi.advanceTimersByTime(5000);
    expect(history.get(call.myId)).toMatchObject({ state: 'missed', voicemail: true });
    expect(describeNotification(notifier.shown.at(-1)!).body.split('\n')[0]).toBe('Left a voicemail');
  });

  it('takes an answered report naming a colleague as their answer, though their leg was never seen', () => {
    const { history, pipeline } = annsDesktop();
    const call = conversation('report-only');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.mine.hangup);
    pipeline.ingest(call.answeredReport('205_2222223'));
    expect(history.get(call.myId)).toMatchObject({ state: 'answered-elsewhere', answeredBy: '205_2222223' });
  });

  it('rings once for a conversation that rings two agents this desktop follows, and says no "Answered by" when one of them answers', () => {
    const { notifier, history, pipeline } = pipelineInMemory({ isWanted: createCallFilter({ agents: [], teams: ['Sales'] }) });
    const call = conversation('both-mine');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.theirs.started);
    pipeline.ingest(call.theirs.answered);
    expect(kinds(notifier.shown)).toEqual(['ringing']);
    expect(history.get(call.theirs.started.callId)?.state).toBe('answered');
    expect(history.get(call.myId)?.state).toBe('answered-elsewhere');
  });

  it('ends in the same state whatever the order of arrival, with any event delivered twice', () => {
    const scenarios = {
      'answered elsewhere': (call: ReturnType<typeof conversation>) => ({
        events: [call.mine.started, call.theirs.started, call.theirs.answered, call.mine.hangup, call.theirs.hangup, call.callerHangup],
        state: 'answered-elsewhere',
      }),
      'missed by everyone': (call: ReturnType<typeof conversation>) => ({
        events: [call.mine.started, call.theirs.started, call.mine.hangup, call.theirs.hangup, call.callerHangup, call.missedReport()],
        state: 'missed',
      }),
      declined: (call: ReturnType<typeof conversation>) => ({
        events: [call.mine.started, call.mine.hangup, call.userReport(ann, 'sent_reject'), call.callerHangup],
        state: 'declined',
      }),
      'answered by me': (call: ReturnType<typeof conversation>) => ({
        events: [call.mine.started, call.theirs.started, call.mine.answered, call.theirs.hangup, call.mine.hangup, call.callerHangup],
        state: 'ended',
      }),
    };
    for (const [name, scenario] of Object.entries(scenarios)) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.array(fc.nat(), { maxLength: 3 }), (seed, repeats) => {
          const { history, pipeline } = annsDesktop();
          const call = conversation(`${name}-${seed}`);
          const { events, state } = scenario(call);
          const order = shuffled(events, seed);
          for (const index of repeats) order.splice(index % (order.length + 1), 0, events[index % events.length] as CallEvent);
          for (const event of order) pipeline.ingest(event);
          vi.advanceTimersByTime(60_000);
          expect(
            history.get(call.myId)?.state,
            `${name}: ${order.map((event) => `${event.agent ?? ''} ${event.kind}:${event.status}`).join(', ')}`,
          ).toBe(state);
        }),
        { numRuns: 60 },
      );
    }
  });
});

describe('call back', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  function missedCall(id: string, from = caller) {
    const setup = pipelineInMemory({ isWanted: createCallFilter({ agents: ['204'], teams: [] }) });
    const call = conversation(id, from);
    setup.pipeline.ingest(call.mine.started);
    setup.pipeline.ingest(call.mine.hangup);
    setup.pipeline.ingest(call.callerHangup);
    return { ...setup, call };
  }

  it('is done when a colleague’s outgoing call to the number starts', () => {
    const { history, pipeline, call } = missedCall('called-back');
    const outgoing = eventFrom('outgoing-started', { to: caller, user: '205_2222223' });
    expect(pipeline.ingest(outgoing)).toBe('updated');
    expect(history.get(call.myId)?.callBack).toEqual({
      state: 'done',
      by: '205_2222223',
      at: outgoing.time.getTime(),
      how: 'called-back',
    });
    expect(history.callBackCount()).toBe(0);
    expect(pipeline.ingest(eventFrom('outgoing-started', { to: '447700900000', user: '205_2222223', cmiuuid: 'another' }))).toBe('ignored');
  });

  it('is done when the same caller calls again and someone answers', () => {
    const { history, pipeline, call } = missedCall('calls-again');
    const again = conversation('again');
    pipeline.ingest(again.theirs.started);
    expect(history.get(call.myId)?.callBack?.state).toBe('pending');
    pipeline.ingest(again.theirs.answered);
    expect(history.get(call.myId)?.callBack).toMatchObject({ state: 'done', by: '205_2222223', how: 'called-again' });
  });

  it('can be marked done by a person', () => {
    const { history, pipeline, call } = missedCall('marked');
    expect(pipeline.markCalledBack([call.myId, 'unknown'])).toBe(1);
    expect(history.get(call.myId)?.callBack).toMatchObject({ state: 'done', how: 'marked' });
    expect(pipeline.markCalledBack([call.myId])).toBe(0);
  });

  it('is not due when a colleague’s answer comes after the conversation was thought missed', () => {
    const { history, pipeline, call } = missedCall('late-answer');
    expect(history.get(call.myId)?.callBack?.state).toBe('pending');
    pipeline.ingest(call.theirs.answered);
    expect(history.get(call.myId)).toMatchObject({ state: 'answered-elsewhere' });
    expect(history.get(call.myId)?.callBack).toBeUndefined();
    expect(history.callBackCount()).toBe(0);
  });
});

describe('conversations in memory', () => {
  it('are bounded, and one forgotten starts again from what its records say', () => {
    const inConversation = vi.fn(() => []);
    const tracker = createConversationTracker({
      store: { get: () => undefined, inConversation },
      idleTtlMs: 60_000,
      silenceMs: 30_000,
      callerWaitingSilenceMs: 600_000,
      maxRingMs: 600_000,
      onSilence: () => undefined,
      now: () => 0,
    });
    const first = tracker.get('c-0');
    first.dialled = { digits: '1', display: '+1', e164: '+1' } as never;
    for (let index = 1; index <= 5000; index += 1) tracker.get(`c-${index}`);
    expect(tracker.get('c-0')).not.toBe(first);
    expect(inConversation).toHaveBeenCalledWith('c-0', { complete: true });
    expect(newConversation('c').legs.size).toBe(0);
  });
});

/** A deterministic shuffle, so a failing order can be replayed from its seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const order = [...items];
  let state = seed || 1;
  for (let index = order.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [order[index], order[other]] = [order[other] as T, order[index] as T];
  }
  return order;
}
