import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallFilter } from '../../../src/core/calls/callFilter';
import { createCallPipeline } from '../../../src/core/calls/callPipeline';
import { silentLogger } from '../../../src/core/log/logger';
import { createEventRouter } from '../../../src/core/team/server/eventRouter';
import type { CallEvent } from '../../../src/core/telecmi/eventSchema';
import { callsToCallBack } from '../../../src/renderer/logic/callBacks';
import { agentCall, eventFrom } from '../../support/events';
import { recordingNotifier } from '../../support/fakes';
import { pipelineInMemory } from '../../support/pipeline';

const caller = '919876543210';
const ann = { user: '204_2222223', team: 'Sales_2222223' };
const ravi = { user: '205_2222223', team: 'Sales_2222223' };
const later = (event: CallEvent, ms: number): CallEvent => ({ ...event, time: new Date(event.time.getTime() + ms) });

function conversation(id: string, from = caller) {
  const leg = (agent: typeof ann, suffix = '') => agentCall(`${id}-${agent.user}${suffix}`, { conversation_uuid: id, from, ...agent });
  const mine = leg(ann);
  return {
    leg,
    mine,
    theirs: leg(ravi),
    myId: mine.started.callId,
    callerWaiting: eventFrom('leg-a-waiting', { cmiuuid: id, conversation_uuid: id, from, status: 'waiting' }),
    callerHangup: eventFrom('leg-a-waiting', { cmiuuid: id, conversation_uuid: id, from, status: 'hangup' }),
    missedReport: (changes = {}) => eventFrom('cdr-incoming-missed', { cmiuuid: id, conversation_uuid: id, from, ...changes }),
    answeredReport: (user?: string) =>
      eventFrom('cdr-incoming-missed', {
        cmiuuid: id,
        conversation_uuid: id,
        from,
        status: 'answered',
        answeredsec: 30,
        ...(user && { user }),
      }),
    userReport: (agent: typeof ann, reason: string) =>
      eventFrom('cdr-incoming-user-missed', { cmiuuid: leg(agent).started.callId, from, ...agent, hangup_reason: reason }),
  };
}
const kinds = (shown: Array<{ type: string }>) => shown.map((notification) => notification.type);
const annsDesktop = () => pipelineInMemory({ isWanted: createCallFilter({ agents: ['204'], teams: [] }) });

/** Orders of arrival and restarts an outside review tried; each failed before these fixes. */
describe('conversations, the hard cases', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('keeps an agent report that comes before its leg for the leg, in the right conversation', () => {
    const { history, pipeline } = annsDesktop();
    const call = conversation('early-report');
    expect(pipeline.ingest(call.userReport(ann, 'recv_cancel'))).toBe('held');
    for (const event of [
      call.mine.started,
      call.theirs.started,
      call.theirs.answered,
      call.mine.hangup,
      call.theirs.hangup,
      call.callerHangup,
    ])
      pipeline.ingest(event);
    vi.advanceTimersByTime(60_000);
    expect(history.get(call.myId)).toMatchObject({ state: 'answered-elsewhere', conversationId: 'early-report' });
    expect(history.get(call.myId)?.callBack).toBeUndefined();
  });

  it('keeps a decline that came first, with the colleague who answered after, and nothing to call back', () => {
    const { history, pipeline } = annsDesktop();
    const call = conversation('early-reject');
    for (const event of [
      call.userReport(ann, 'sent_reject'),
      call.mine.started,
      call.mine.hangup,
      call.theirs.started,
      call.theirs.answered,
    ])
      pipeline.ingest(event);
    pipeline.ingest(call.callerHangup);
    vi.advanceTimersByTime(60_000);
    expect(history.get(call.myId)).toMatchObject({ state: 'declined', answeredBy: '205_2222223' });
    expect(history.callBackCount()).toBe(0);
  });

  it('closes a call back when the caller was answered on a later call before the first call’s verdict arrived', () => {
    const { history, pipeline } = annsDesktop();
    const first = conversation('first');
    const again = conversation('again');
    pipeline.ingest(first.mine.started);
    pipeline.ingest(first.mine.hangup);
    pipeline.ingest(later(again.theirs.started, 60_000));
    pipeline.ingest(later(again.theirs.answered, 65_000));
    pipeline.ingest(first.missedReport());
    expect(history.get(first.myId)?.callBack).toMatchObject({ state: 'done', how: 'called-again', by: '205_2222223' });
  });

  it('does not close a later missed call with a late report of an earlier answered one', () => {
    const { history, pipeline } = annsDesktop();
    const earlier = conversation('earlier');
    const missed = conversation('missed-after');
    pipeline.ingest(earlier.theirs.started);
    pipeline.ingest(earlier.theirs.answered);
    pipeline.ingest(later(missed.mine.started, 120_000));
    pipeline.ingest(later(missed.mine.hangup, 140_000));
    pipeline.ingest(later(missed.callerHangup, 141_000));
    pipeline.ingest(earlier.answeredReport('205_2222223'));
    expect(history.get(missed.myId)?.callBack?.state).toBe('pending');
  });

  it('waits for the caller leg while the caller is in a queue, and says "Answered by" when a colleague takes them', () => {
    const { notifier, history, pipeline } = annsDesktop();
    const call = conversation('queue');
    pipeline.ingest(call.callerWaiting);
    pipeline.ingest(call.mine.started);
    pipeline.ingest(later(call.mine.hangup, 20_000));
    vi.advanceTimersByTime(35_000);
    expect(history.get(call.myId)?.state).toBe('ringing');
    pipeline.ingest(later(call.theirs.started, 55_000));
    pipeline.ingest(later(call.theirs.answered, 60_000));
    vi.advanceTimersByTime(60_000);
    expect(kinds(notifier.shown)).toEqual(['ringing', 'answered-elsewhere']);
  });

  it('says "Missed call" once, and counts one caller to call back, for a ring-all to two agents this desktop follows', () => {
    const { notifier, history, pipeline } = pipelineInMemory({ isWanted: createCallFilter({ agents: [], teams: ['Sales'] }) });
    const call = conversation('team-missed');
    for (const event of [call.mine.started, call.theirs.started, call.mine.hangup, call.theirs.hangup, call.callerHangup])
      pipeline.ingest(event);
    vi.advanceTimersByTime(5000);
    expect(kinds(notifier.shown)).toEqual(['ringing', 'missed']);
    expect(history.callBackCount()).toBe(1);
  });

  it('rings once when a hunt group rings this agent a second time in the same conversation', () => {
    const { notifier, pipeline } = annsDesktop();
    const call = conversation('loop');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(later(call.mine.hangup, 20_000));
    pipeline.ingest(later(call.theirs.started, 21_000));
    pipeline.ingest(later(call.theirs.hangup, 41_000));
    pipeline.ingest(later(call.leg(ann, '-again').started, 42_000));
    vi.advanceTimersByTime(2000);
    expect(kinds(notifier.shown)).toEqual(['ringing']);
  });

  it('decides a call left ringing by a restart, from what its record kept of its leg', () => {
    const first = annsDesktop();
    const call = conversation('restart');
    first.pipeline.ingest(call.mine.started);
    first.pipeline.ingest(call.mine.hangup);
    first.pipeline.flush();
    const restarted = createCallPipeline({
      history: first.history,
      notifier: recordingNotifier(),
      isWanted: createCallFilter({ agents: ['204'], teams: [] }),
      log: silentLogger,
    });
    restarted.ingest(call.theirs.started);
    restarted.ingest(call.theirs.hangup);
    vi.advanceTimersByTime(120_000);
    expect(first.history.get(call.myId)?.state).toBe('missed');
  });

  it('decides after a restart a call that was still ringing, though no event comes for it', async () => {
    const first = annsDesktop();
    const call = conversation('left-ringing');
    vi.setSystemTime(call.mine.started.receivedAt);
    first.pipeline.ingest(call.mine.started);
    first.pipeline.ingest(call.mine.hangup);
    first.pipeline.flush();
    createCallPipeline({
      history: first.history,
      notifier: recordingNotifier(),
      isWanted: createCallFilter({ agents: ['204'], teams: [] }),
      log: silentLogger,
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(first.history.get(call.myId)?.state).toBe('missed');
  });

  it('sums up a backlog after sleep and pops no "Missed call" for it later', () => {
    const { notifier, pipeline } = annsDesktop();
    const call = conversation('late');
    pipeline.ingest(call.mine.started, { late: true });
    pipeline.ingest(call.mine.hangup, { late: true });
    vi.advanceTimersByTime(60_000);
    expect(kinds(notifier.shown)).toEqual(['away']);
  });

  it('counts a caller without a number to call back in the tray as in the window', async () => {
    const { history, pipeline } = annsDesktop();
    const call = conversation('anonymous', 'anonymous');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.mine.hangup);
    pipeline.ingest(call.callerHangup);
    vi.useRealTimers();
    expect(history.callBackCount()).toBe(callsToCallBack(await history.list()).length);
    expect(history.callBackCount()).toBe(1);
  });

  it('takes an answered report without an agent for an answer, not a miss', () => {
    const { history, pipeline } = annsDesktop();
    const call = conversation('answered-no-user');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.mine.hangup);
    pipeline.ingest(call.answeredReport());
    vi.advanceTimersByTime(5000);
    expect(history.get(call.myId)?.state).toBe('answered-elsewhere');
    expect(history.get(call.myId)?.callBack).toBeUndefined();
  });

  it('closes a call back when an agent dials the caller’s national number', () => {
    const { history, pipeline } = annsDesktop();
    const call = conversation('national');
    for (const event of [call.mine.started, call.mine.hangup, call.callerHangup]) pipeline.ingest(event);
    expect(pipeline.ingest(eventFrom('outgoing-started', { to: '09876543210', user: '205_2222223' }))).toBe('updated');
    expect(history.get(call.myId)?.callBack).toMatchObject({ state: 'done', how: 'called-back' });
  });

  it('names a colleague known only from the answered report as the settings name them', () => {
    const { notifier, pipeline } = pipelineInMemory({
      isWanted: createCallFilter({ agents: ['204'], teams: [] }),
      agentNameOf: (agent) => (agent === '205' ? 'Ravi Kumar' : undefined),
    });
    const call = conversation('report-name');
    pipeline.ingest(call.mine.started);
    pipeline.ingest(call.answeredReport('205_2222223'));
    expect(notifier.shown.at(-1)).toMatchObject({ type: 'answered-elsewhere', call: { answeredByName: 'Ravi Kumar' } });
  });
});

describe('team routing of a caller’s answers', () => {
  it('tells the desktops that had a caller to call back of their new call’s answer, and no others', () => {
    const router = createEventRouter();
    const sales = agentCall('l1', { conversation_uuid: 'l1', from: caller, ...ann });
    router.route(sales.started);
    router.route(sales.answered);
    const support = agentCall('l2', { conversation_uuid: 'l2', from: caller, user: '301_2222223', team: 'Support_2222223' });
    router.route(support.started);
    // The Sales call was answered: nobody there is to call back, so Support's answer stays in Support.
    expect(
      router
        .route(support.answered)
        .map((route) => route.topic)
        .sort(),
    ).toEqual(['telecmi/2222223/agent/301_2222223', 'telecmi/2222223/team/Support_2222223']);
  });

  it('tells them when the caller was missed by everyone there', () => {
    const router = createEventRouter();
    const sales = agentCall('m1', { conversation_uuid: 'm1', from: caller, ...ann });
    router.route(sales.started);
    router.route(sales.hangup);
    router.route(eventFrom('leg-a-waiting', { cmiuuid: 'm1', conversation_uuid: 'm1', from: caller, status: 'hangup' }));
    const support = agentCall('m2', { conversation_uuid: 'm2', from: caller, user: '301_2222223', team: 'Support_2222223' });
    router.route(support.started);
    expect(
      router
        .route(support.answered)
        .map((route) => route.topic)
        .sort(),
    ).toEqual([
      'telecmi/2222223/agent/204_2222223',
      'telecmi/2222223/agent/301_2222223',
      'telecmi/2222223/team/Sales_2222223',
      'telecmi/2222223/team/Support_2222223',
    ]);
  });
});
