import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallFilter } from '../../../src/core/calls/callFilter';
import { createCallPipeline } from '../../../src/core/calls/callPipeline';
import { silentLogger } from '../../../src/core/log/logger';
import { eventKey } from '../../../src/core/telecmi/parseEvent';
import { agentCall, eventFrom } from '../../support/events';
import { recordingLogger, recordingNotifier } from '../../support/fakes';
import { pipelineInMemory } from '../../support/pipeline';

const setup = pipelineInMemory;

describe('call pipeline', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());
  it('notifies a new ringing call at once and records it unread', async () => {
    const { notifier, history, pipeline } = setup();
    expect(pipeline.ingest(eventFrom('leg-b-started'))).toBe('recorded');
    expect(notifier.shown).toHaveLength(1);
    expect(notifier.shown[0]).toMatchObject({ type: 'ringing', call: { state: 'ringing', from: { digits: '440000000000' } } });
    expect(await history.list()).toHaveLength(1);
    expect((await history.list())[0]?.read).toBe(false);
  });

  it('follows ringing, answered and ended into one record with its talk time', async () => {
    const { notifier, history, pipeline } = setup();
    const call = agentCall('1');
    pipeline.ingest(call.started);
    pipeline.ingest(call.answered);
    pipeline.ingest(call.hangup);
    expect(await history.list()).toHaveLength(1);
    const record = history.get(call.started.callId);
    expect(record).toMatchObject({ state: 'ended', answeredAt: call.answered.time.getTime(), durationSec: 62 });
    expect(record?.timeline.map((entry) => entry.event)).toEqual(['agent-leg:started', 'agent-leg:answered', 'agent-leg:hangup']);
    expect(record?.events).toHaveLength(3);
    expect(notifier.shown.map((shown) => shown.type)).toEqual(['ringing']);
  });

  it('logs a notification that fails, and never throws it out of a timer (that would stop serve)', () => {
    const log = recordingLogger();
    const failing = {
      notify: (notification: { type: string }) => {
        if (notification.type === 'missed') throw new Error('notification daemon gone');
      },
    };
    const { history, pipeline } = setup({ notifier: failing, log });
    const call = agentCall('2');
    pipeline.ingest(call.started);
    pipeline.ingest(call.hangup);
    pipeline.ingest(call.callerLeg('hangup'));
    expect(() => vi.advanceTimersByTime(1500)).not.toThrow();
    expect(history.get(call.started.callId)?.state).toBe('missed');
    expect(log.lines.map((line) => `${line.level}: ${line.message} ${String(line.details?.error)}`)).toContain(
      'error: a missed call failed notification daemon gone',
    );
  });

  it('pops a call up and opens its screen pop when its caller’s history cannot be read, without that line', () => {
    const log = recordingLogger();
    const opened: string[] = [];
    const { notifier, history, pipeline } = setup({ log, onLive: (call) => void opened.push(call.id) });
    history.callerCounts = () => {
      throw new Error('database disk image is malformed');
    };
    const call = agentCall('3');
    expect(pipeline.ingest(call.started)).toBe('recorded');
    expect(notifier.shown.map((shown) => [shown.type, 'callerHistory' in shown])).toEqual([['ringing', false]]);
    expect(opened).toEqual([call.started.callId]);
    expect(log.lines.map((line) => `${line.level}: ${line.message}`)).toContain("error: the caller's history line failed");
  });

  it('still shuts down when a held missed call cannot be notified', () => {
    const failing = {
      notify: (notification: { type: string }) => {
        if (notification.type === 'missed') throw new Error('notification daemon gone');
      },
    };
    const { pipeline } = setup({ notifier: failing, log: recordingLogger() });
    const call = agentCall('4');
    pipeline.ingest(call.started);
    pipeline.ingest(call.hangup);
    pipeline.ingest(call.callerLeg('hangup'));
    expect(() => pipeline.flush()).not.toThrow();
  });

  it('turns a call nobody answered into a missed call when the conversation ends, not when its leg stops ringing, and notifies it', () => {
    const { notifier, history, pipeline } = setup();
    const call = agentCall('2');
    pipeline.ingest(call.started);
    pipeline.ingest(call.hangup);
    expect(history.get(call.started.callId)?.state).toBe('ringing');
    pipeline.ingest(call.callerLeg('hangup'));
    expect(history.get(call.started.callId)).toMatchObject({ state: 'missed', callBack: { state: 'pending' } });
    vi.advanceTimersByTime(1500);
    expect(notifier.shown.map((shown) => shown.type)).toEqual(['ringing', 'missed']);
  });

  it('marks a ringing call missed when the caller hangs up, and only once', () => {
    const { notifier, history, pipeline } = setup();
    const call = agentCall('3');
    pipeline.ingest(call.started);
    pipeline.ingest(call.callerLeg('hangup'));
    pipeline.ingest(call.hangup);
    expect(history.get(call.started.callId)?.state).toBe('missed');
    vi.advanceTimersByTime(1500);
    expect(notifier.shown.map((shown) => shown.type)).toEqual(['ringing', 'missed']);
  });

  it('marks a ringing call missed from a missed call report, with the wait time', () => {
    const { history, pipeline } = setup();
    const call = agentCall('4');
    pipeline.ingest(call.started);
    expect(pipeline.ingest(call.report())).toBe('updated');
    expect(history.get(call.started.callId)).toMatchObject({ state: 'missed', waitedSec: 21, hangupReason: 'recv_cancel' });
  });

  it('answers duplicate for an event delivered twice and notifies once', () => {
    const { notifier, history, pipeline } = setup();
    const first = eventFrom('leg-b-started');
    const again = eventFrom('leg-b-started');
    expect(pipeline.ingest(first)).toBe('recorded');
    expect(pipeline.ingest(again)).toBe('duplicate');
    expect(notifier.shown).toHaveLength(1);
    expect(history.get(first.callId)?.timeline).toHaveLength(1);
  });

  it('knows a redelivery after a restart, reading the saved event keys once, as it starts', () => {
    const { history } = setup();
    const first = eventFrom('leg-b-started');
    history.rememberEventKey(eventKey(first));
    history.flush();
    const reads = vi.spyOn(history, 'recentEventKeys');
    const restarted = createCallPipeline({ history, notifier: recordingNotifier(), isWanted: () => true, log: silentLogger });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(restarted.ingest(eventFrom('leg-b-started'))).toBe('duplicate');
    expect(restarted.ingest(eventFrom('leg-b-answered'))).not.toBe('duplicate');
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('turns a missed call into an ended one when its answer arrives after its hangup', () => {
    const { history, pipeline } = setup();
    const call = agentCall('late-answer');
    pipeline.ingest(call.started);
    pipeline.ingest(call.hangup);
    pipeline.ingest(call.answered);
    expect(history.get(call.started.callId)).toMatchObject({ state: 'ended', answeredAt: call.answered.time.getTime(), durationSec: 62 });
  });

  it('announces no missed call when an answer sent before the hangup arrives just after it', () => {
    const { notifier, pipeline } = setup();
    const call = agentCall('late-answer-notice');
    pipeline.ingest(call.started);
    pipeline.ingest(call.hangup);
    vi.advanceTimersByTime(400);
    pipeline.ingest(call.answered);
    vi.advanceTimersByTime(5000);
    expect(notifier.shown.map((shown) => shown.type)).toEqual(['ringing']);
  });

  it('announces a held missed call at once on shutdown', () => {
    const { notifier, pipeline } = setup();
    const call = agentCall('missed-at-shutdown');
    pipeline.ingest(call.started);
    pipeline.ingest(call.hangup);
    pipeline.ingest(call.callerLeg('hangup'));
    pipeline.flush();
    expect(notifier.shown.map((shown) => shown.type)).toEqual(['ringing', 'missed']);
  });

  it.each([
    ['a missed call report', (call: ReturnType<typeof agentCall>) => call.report()],
    ['the caller hanging up', (call: ReturnType<typeof agentCall>) => call.callerLeg('hangup')],
  ])('keeps %s that arrives before the agent leg, and records the call as missed without ringing', (_label, early) => {
    const { notifier, history, pipeline } = setup();
    const call = agentCall(`early-${_label}`);
    expect(pipeline.ingest(early(call))).toBe('held');
    expect(pipeline.ingest(call.started)).toBe('recorded');
    expect(history.get(call.started.callId)).toMatchObject({ state: 'missed', dialled: { digits: '918000000000' } });
    vi.advanceTimersByTime(5000);
    expect(notifier.shown).toEqual([]);
  });

  it('forgets early events after a while', () => {
    const { notifier, history, pipeline } = setup({ earlyEventsTtlMs: 60_000 });
    const call = agentCall('stale-early');
    pipeline.ingest(call.callerLeg('hangup'));
    vi.advanceTimersByTime(61_000);
    pipeline.ingest(call.started);
    expect(history.get(call.started.callId)?.state).toBe('ringing');
    expect(notifier.shown.map((shown) => shown.type)).toEqual(['ringing']);
  });

  it('records but does not announce a hangup for a call it never saw ringing, missed once the conversation falls silent', () => {
    const { notifier, history, pipeline } = setup();
    const call = agentCall('hangup-only');
    pipeline.ingest(call.hangup);
    vi.advanceTimersByTime(30_000);
    expect(history.get(call.started.callId)?.state).toBe('missed');
    expect(notifier.shown).toEqual([]);
  });

  it('never moves a call back when events arrive out of order', () => {
    const { notifier, history, pipeline } = setup();
    const call = agentCall('5');
    pipeline.ingest(call.answered);
    pipeline.ingest(call.started);
    expect(history.get(call.started.callId)?.state).toBe('answered');
    expect(notifier.shown).toHaveLength(0);
  });

  it('fills in the dialled number from a caller leg that came first', () => {
    const { notifier, history, pipeline } = setup();
    const call = agentCall('6');
    expect(pipeline.ingest(call.callerLeg('waiting'))).toBe('held');
    pipeline.ingest(call.started);
    expect(history.get(call.started.callId)?.dialled?.digits).toBe('918000000000');
    expect(notifier.shown[0]).toMatchObject({ call: { dialled: { digits: '918000000000' } } });
  });

  it('fills in the dialled number from a caller leg that came later', () => {
    const { history, pipeline } = setup();
    const call = agentCall('7');
    pipeline.ingest(call.started);
    expect(pipeline.ingest(call.callerLeg('answered'))).toBe('updated');
    expect(history.get(call.started.callId)).toMatchObject({ state: 'ringing', dialled: { digits: '918000000000' } });
  });

  it('records but does not notify an outgoing call', () => {
    const { notifier, history, pipeline } = setup();
    const outgoing = eventFrom('leg-b-started', { callerid: '918000000000', call_id: 'x' });
    expect(pipeline.ingest(outgoing)).toBe('ignored');
    expect(notifier.shown).toHaveLength(0);
    expect(history.size()).toBe(0);
  });

  it('records calls but shows nothing while muted', () => {
    const { notifier, history, pipeline } = setup({ isMuted: () => true });
    const call = agentCall('8');
    pipeline.ingest(call.started);
    pipeline.ingest(call.hangup);
    pipeline.ingest(call.callerLeg('hangup'));
    expect(history.get(call.started.callId)?.state).toBe('missed');
    expect(notifier.shown).toHaveLength(0);
  });

  describe('agent and team filter', () => {
    const wanted = (agents: string[], teams: string[], changes: Record<string, string>) =>
      createCallFilter({ agents, teams })(eventFrom('leg-b-started', changes));

    it('lets every call through when no agent or team is set', () => {
      expect(wanted([], [], {})).toBe(true);
    });

    it('matches an agent by extension or by full TeleCMI id', () => {
      expect(wanted(['204'], [], { user: '204_2222223' })).toBe(true);
      expect(wanted(['204_2222223'], [], { user: '204_2222223' })).toBe(true);
      expect(wanted(['205'], [], { user: '204_2222223' })).toBe(false);
    });

    it('matches a team by name in any case', () => {
      expect(wanted([], ['sales'], { team: 'Sales_2222223' })).toBe(true);
      expect(wanted([], ['Support'], { team: 'Sales_2222223' })).toBe(false);
    });

    it('takes a call that matches either the agents or the teams', () => {
      expect(wanted(['999'], ['Sales'], { user: '204_2222223', team: 'Sales_2222223' })).toBe(true);
    });

    it('neither records nor notifies a call for another agent', () => {
      const { notifier, history, pipeline } = setup({ isWanted: createCallFilter({ agents: ['205'], teams: [] }) });
      expect(pipeline.ingest(eventFrom('leg-b-started'))).toBe('filtered');
      expect(notifier.shown).toHaveLength(0);
      expect(history.size()).toBe(0);
    });
  });

  describe('bursts', () => {
    beforeEach(() => void vi.useFakeTimers());
    afterEach(() => void vi.useRealTimers());

    it('shows the first five calls of a second one by one and the rest as one summary', () => {
      const { notifier, pipeline } = setup();
      for (let index = 0; index < 12; index += 1) pipeline.ingest(agentCall(`burst-${index}`).started);
      expect(notifier.shown.map((shown) => shown.type)).toEqual(Array(5).fill('ringing'));
      vi.advanceTimersByTime(1000);
      expect(notifier.shown).toHaveLength(6);
      const summary = notifier.shown[5];
      expect(summary?.type).toBe('summary');
      if (summary?.type === 'summary') expect(summary.calls).toHaveLength(7);
    });

    it('shows calls one by one again once the burst has passed', () => {
      const { notifier, pipeline } = setup();
      for (let index = 0; index < 6; index += 1) pipeline.ingest(agentCall(`first-${index}`).started);
      vi.advanceTimersByTime(1000);
      expect(notifier.shown.at(-1)).toMatchObject({ type: 'ringing', call: { id: 'leg-b-first-5' } });
      vi.advanceTimersByTime(1000);
      pipeline.ingest(agentCall('later').started);
      expect(notifier.shown.at(-1)).toMatchObject({ type: 'ringing', call: { id: 'leg-b-later' } });
    });

    it('announces held calls when flushed on shutdown', () => {
      const { notifier, pipeline } = setup();
      for (let index = 0; index < 8; index += 1) pipeline.ingest(agentCall(`flush-${index}`).started);
      pipeline.flush();
      expect(notifier.shown.at(-1)).toMatchObject({ type: 'summary' });
    });
  });
});
