import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallPipeline } from '../../../src/core/calls/callPipeline';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { describeCallerHistory, ordinal, type CallerHistoryClock } from '../../../src/core/calls/callerHistory';
import { describeNotification } from '../../../src/core/calls/callNotification';
import type { CallRecord } from '../../../src/core/calls/callRecord';
import { createScreenPop, type ScreenPop } from '../../../src/core/calls/screenPop';
import { crmUrlFor } from '../../../src/core/app/externalLinks';
import { createContactBook } from '../../../src/core/contacts/contactBook';
import { toE164 } from '../../../src/core/contacts/contactNumbers';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';
import { memoryDatabase, recordingNotifier } from '../../support/fakes';
import { pipelineInMemory } from '../../support/pipeline';

const clock = (now: Date): CallerHistoryClock => ({
  now,
  formatTime: (time) => `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}`,
  formatDay: (time) => `${time.getDate()}/${time.getMonth() + 1}`,
});
const at = (hour: number, minute = 0, day = 25): number => new Date(2026, 10, day, hour, minute).getTime();

const earlier = (state: CallRecord['state'], startedAt: number) => ({ state, startedAt }) as CallRecord;

describe('the caller’s history line', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [101, '101st'],
    [111, '111th'],
  ])('says %i as %s', (n, text) => {
    expect(ordinal(n)).toBe(text);
  });

  it('says "first call" for a caller this desktop has never seen', () => {
    expect(describeCallerHistory({ today: 0 }, clock(new Date(at(11))))).toBe('first call');
  });

  it('counts today’s calls and says how the last one went, and when', () => {
    expect(describeCallerHistory({ today: 2, last: earlier('missed', at(10, 42)) }, clock(new Date(at(11))))).toBe(
      '3rd call today · last one missed at 10:42',
    );
    expect(describeCallerHistory({ today: 1, last: earlier('answered', at(9, 5)) }, clock(new Date(at(11))))).toBe(
      '2nd call today · last one answered at 09:05',
    );
    expect(describeCallerHistory({ today: 1, last: earlier('ringing', at(10, 59)) }, clock(new Date(at(11))))).toBe(
      '2nd call today · last one rang at 10:59',
    );
  });

  it('gives the day of the last call when it was before today', () => {
    expect(describeCallerHistory({ today: 0, last: earlier('ended', at(16, 0, 23)) }, clock(new Date(at(11))))).toBe(
      'first call today · last one answered on 23/11',
    );
  });
});

describe('who is calling, through the pipeline', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: at(11) }));
  afterEach(() => void vi.useRealTimers());

  const book = (...entries: Array<[string, string]>) =>
    createContactBook(
      entries.map(([name, raw]) => ({ name, numbers: [{ raw, e164: toE164(raw, 'IN') as string }] })),
      'IN',
    );
  /** Each call from `from`, the reference payload's caller unless changed. */
  const callFrom = (id: string, from = '919876543210') => agentCall(id, { from });

  const setup = pipelineInMemory;

  it('names the caller in the popup and the history, with the number', () => {
    const contacts = book(['Asha Rao', '098765 43210']);
    const { notifier, history, pipeline } = setup({ namesFor: contacts.namesFor });
    const call = callFrom('1');
    pipeline.ingest(call.started);
    expect(history.get(call.started.callId)?.callerNames).toEqual(['Asha Rao']);
    const [shown] = notifier.shown;
    expect(describeNotification(shown!).title).toBe('Asha Rao · +91 98765 43210');
    expect(describeNotification(shown!).body.split('\n')[0]).toBe('first call');
  });

  it('says how many contacts match, and names them in the body', () => {
    const contacts = book(['Asha Rao', '9876543210'], ['Front desk', '+91 98765 43210']);
    const { notifier, pipeline } = setup({ namesFor: contacts.namesFor });
    pipeline.ingest(callFrom('1').started);
    const text = describeNotification(notifier.shown[0]!);
    expect(text.title).toBe('2 contacts match · +91 98765 43210');
    expect(text.body.split('\n').slice(0, 2)).toEqual(['first call', 'Asha Rao or Front desk']);
  });

  it('keeps an unknown caller a number', () => {
    const { notifier, history, pipeline } = setup({ namesFor: book(['Asha Rao', '9876543210']).namesFor });
    const call = callFrom('1', '442079460000');
    pipeline.ingest(call.started);
    expect(history.get(call.started.callId)?.callerNames).toBeUndefined();
    expect(describeNotification(notifier.shown[0]!).title).toBe('Incoming call +44 20 7946 0000');
  });

  it('takes the team server’s names, and this desktop’s contacts over them', () => {
    const { history, pipeline } = setup({ namesFor: book(['Asha (my contact)', '9876543210']).namesFor });
    const known = callFrom('1');
    pipeline.ingest(known.started, { callerNames: ['Asha Rao (company)'] });
    const unknown = callFrom('2', '919876500000');
    pipeline.ingest(unknown.started, { callerNames: ['Ravi Kumar (company)'] });
    expect(history.get(known.started.callId)?.callerNames).toEqual(['Asha (my contact)']);
    expect(history.get(unknown.started.callId)?.callerNames).toEqual(['Ravi Kumar (company)']);
  });

  it('keeps the name through the call’s later events', () => {
    const { history, pipeline } = setup({ namesFor: book(['Asha Rao', '9876543210']).namesFor });
    const call = callFrom('1');
    pipeline.ingest(call.started);
    pipeline.ingest(call.answered);
    pipeline.ingest(call.hangup);
    expect(history.get(call.started.callId)).toMatchObject({ state: 'ended', callerNames: ['Asha Rao'] });
  });

  it('counts a call that arrived late, after newer ones, among the caller’s calls', () => {
    const { notifier, pipeline } = setup();
    pipeline.ingest({ ...callFrom('today').started, time: new Date(at(9, 0)) });
    // Yesterday's call, delivered only now (a catch-up): it must not hide today's from the count.
    pipeline.ingest({ ...callFrom('yesterday').started, time: new Date(at(18, 0, 24)) }, { late: true });
    pipeline.ingest({ ...callFrom('now').started, time: new Date(at(10, 59)) });
    expect(describeNotification(notifier.shown.at(-1)!).body.split('\n')[0]).toMatch(/^2nd call today · last one rang at /);
  });

  it('pops a call up at once, without the history line, while a large history is still being read after opening', () => {
    const many = Array.from({ length: 12_000 }, (_, index) => newCallRecord(callFrom(`old-${index}`).started));
    const history = createCallHistory({ database: memoryDatabase(many), maxCalls: 20_000, log: silentLogger });
    const notifier = recordingNotifier();
    const pipeline = createCallPipeline({ history, notifier, isWanted: () => true, log: silentLogger });
    pipeline.ingest(callFrom('now').started);
    expect(describeNotification(notifier.shown[0]!).body.split('\n')[0]).not.toMatch(/call/);
  });

  it('tells the popup of a caller’s third call today how the last one went', () => {
    const { notifier, pipeline } = setup();
    const first = callFrom('1');
    pipeline.ingest({ ...first.started, time: new Date(at(9, 5)) });
    pipeline.ingest({ ...first.answered, time: new Date(at(9, 6)) });
    pipeline.ingest({ ...first.hangup, time: new Date(at(9, 9)) });
    vi.setSystemTime(at(11, 20));
    const second = callFrom('2');
    pipeline.ingest({ ...second.started, time: new Date(at(10, 42)) });
    pipeline.ingest({ ...second.hangup, time: new Date(at(10, 43)) });
    pipeline.ingest({ ...second.callerLeg('hangup'), time: new Date(at(10, 43)) });
    vi.advanceTimersByTime(1500);
    const missed = notifier.shown.at(-1)!;
    expect(missed.type).toBe('missed');
    expect(describeNotification(missed).body.split('\n')[0]).toMatch(/^2nd call today · last one answered at /);
    pipeline.ingest({ ...callFrom('3').started, time: new Date(at(11, 20)) });
    const ringing = notifier.shown.at(-1)!;
    expect(describeNotification(ringing).body.split('\n')[0]).toMatch(/^3rd call today · last one missed at .*42/);
  });
});

describe('screen pop', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  function setup(mode: ScreenPop, { template = 'https://crm.example.com/find?phone={from}', muted = false } = {}) {
    const opened: string[] = [];
    const onLive = createScreenPop({ mode: () => mode, urlFor: (call) => crmUrlFor(template, call), open: (url) => void opened.push(url) });
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 1000, log: silentLogger });
    const pipeline = createCallPipeline({
      history,
      notifier: recordingNotifier(),
      isWanted: () => true,
      log: silentLogger,
      onLive,
      isMuted: () => muted,
    });
    return { opened, pipeline };
  }

  it('opens the CRM link once when a call rings, URL-encoded, and not again when it is answered', () => {
    const { opened, pipeline } = setup('ring', { template: 'https://crm.example.com/find?q={from}&src=tcmi' });
    const call = agentCall('1', { from: '+91 98765 43210' });
    pipeline.ingest(call.started);
    pipeline.ingest(call.answered);
    pipeline.ingest(call.started);
    expect(opened).toEqual(['https://crm.example.com/find?q=919876543210&src=tcmi']);
  });

  it('opens it when the agent answers, not when it rings', () => {
    const { opened, pipeline } = setup('answer');
    const call = agentCall('1');
    pipeline.ingest(call.started);
    expect(opened).toEqual([]);
    pipeline.ingest(call.answered);
    pipeline.ingest(call.hangup);
    expect(opened).toHaveLength(1);
  });

  it('opens nothing by default, for a missed call, without a template, or for a link that is not http(s)', () => {
    for (const [mode, template] of [
      ['never', undefined],
      ['ring', ''],
      ['ring', 'javascript:alert({from})'],
    ] as const) {
      const { opened, pipeline } = setup(mode, { template });
      pipeline.ingest(agentCall('1').started);
      expect(opened).toEqual([]);
    }
    const { opened, pipeline } = setup('answer');
    const missed = agentCall('2');
    pipeline.ingest(missed.started);
    pipeline.ingest(missed.hangup);
    expect(opened).toEqual([]);
  });

  it('opens nothing for the calls of a burst summed up, and one record for a conversation that rings two agents', () => {
    const { opened, pipeline } = setup('ring');
    for (let index = 0; index < 8; index += 1) pipeline.ingest(agentCall(`burst-${index}`).started);
    expect(opened).toHaveLength(5);
    vi.advanceTimersByTime(1000);
    expect(opened).toHaveLength(5);
    const first = setup('answer');
    first.pipeline.ingest(agentCall('a', { conversation_uuid: 'one-caller' }).answered);
    first.pipeline.ingest(agentCall('b', { conversation_uuid: 'one-caller' }).answered);
    expect(first.opened).toHaveLength(1);
  });

  it('opens nothing for a call held back by a burst that is over, paused or shut down by the time it is announced', () => {
    let muted = false;
    const opened: string[] = [];
    const onLive = createScreenPop({
      mode: () => 'ring',
      urlFor: (call) => `https://crm.example.com/${call.id}`,
      open: (url) => void opened.push(url),
    });
    const history = createCallHistory({ database: memoryDatabase(), maxCalls: 1000, log: silentLogger });
    const pipeline = createCallPipeline({
      history,
      notifier: recordingNotifier(),
      isWanted: () => true,
      log: silentLogger,
      onLive,
      isMuted: () => muted,
      burst: { limit: 1, windowMs: 1000 },
    });
    pipeline.ingest(agentCall('shown').started);
    const over = agentCall('over');
    pipeline.ingest(over.started);
    pipeline.ingest(over.hangup);
    pipeline.ingest(over.callerLeg('hangup'));
    vi.advanceTimersByTime(1000);
    const paused = agentCall('paused');
    vi.advanceTimersByTime(1000);
    pipeline.ingest(agentCall('opens a window').started);
    pipeline.ingest(paused.started);
    muted = true;
    vi.advanceTimersByTime(1000);
    muted = false;
    pipeline.ingest(agentCall('opens another').started);
    pipeline.ingest(agentCall('at shutdown').started);
    pipeline.flush();
    expect(opened).toEqual([
      'https://crm.example.com/leg-b-shown',
      'https://crm.example.com/leg-b-opens a window',
      'https://crm.example.com/leg-b-opens another',
    ]);
  });

  it('opens nothing for calls announced late (a catch-up) or while notifications are paused', () => {
    const late = setup('ring');
    late.pipeline.ingest(agentCall('1').started, { late: true });
    const answeredLate = agentCall('2');
    late.pipeline.ingest(answeredLate.started, { late: true });
    late.pipeline.ingest(answeredLate.answered, { late: true });
    expect(late.opened).toEqual([]);
    const paused = setup('ring', { muted: true });
    paused.pipeline.ingest(agentCall('3').started);
    expect(paused.opened).toEqual([]);
  });
});
