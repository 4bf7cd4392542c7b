import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/core/calls/callRecord';
import { callsToCsv } from '../../src/renderer/logic/csvExport';
import { duration, relativeTime, stateSummary, whoAnswers } from '../../src/renderer/logic/format';
import { filterCalls } from '../../src/renderer/logic/search';
import { summariseToday } from '../../src/renderer/logic/today';
import { applyHistoryChange } from '../../src/renderer/store';
import { fixtureCall } from './rendererHarness';

const now = new Date(2026, 10, 25, 15, 0).getTime();

describe('formatting', () => {
  it.each([
    [10_000, 'just now'],
    [5 * 60_000, '5 min ago'],
    [59 * 60_000, '59 min ago'],
    [3 * 3600_000, '3 h ago'],
    [20 * 3600_000, '20 h ago'],
    [26 * 3600_000, 'yesterday'],
  ])('says %i ms ago as "%s"', (ago, text) => {
    expect(relativeTime(now - ago, now)).toBe(text);
  });

  it('gives an older call its date', () => {
    expect(relativeTime(new Date(2026, 10, 2).getTime(), now)).toMatch(/2|Nov/);
  });

  it('formats talk time', () => {
    expect(duration(0)).toBe('0:00');
    expect(duration(62)).toBe('1:02');
    expect(duration(3725)).toBe('1:02:05');
  });

  it('adds the talk time to an ended call only', () => {
    expect(stateSummary({ state: 'ended', durationSec: 62 })).toBe('Ended · 1:02');
    expect(stateSummary({ state: 'missed', durationSec: undefined })).toBe('Missed');
  });

  it('shows agent and team without the app id suffix', () => {
    expect(whoAnswers({ agent: '204_2222223', team: 'Sales_2222223' })).toBe('204 · Sales');
    expect(whoAnswers({ agent: undefined, team: 'Sales' })).toBe('Sales');
  });
});

describe('search', () => {
  const calls = [
    fixtureCall({ from: '919812345678', user: '204_2222223', team: 'Sales_2222223', custom: { ticket: 'T-1042' } }, ['started'], now),
    fixtureCall({ from: '442079460000', user: '205_2222223', team: 'Support_2222223' }, ['started', 'hangup'], now),
  ];
  const ids = (found: CallRecord[]) => found.map((call) => call.from?.digits);

  it('finds a number typed with +, spaces or part of the digits', () => {
    expect(ids(filterCalls(calls, { query: '+44', state: 'all' }))).toEqual(['442079460000']);
    expect(ids(filterCalls(calls, { query: '98123', state: 'all' }))).toEqual(['919812345678']);
    expect(ids(filterCalls(calls, { query: '20 7946', state: 'all' }))).toEqual(['442079460000']);
  });

  it('finds agent, team and custom field text, in any case', () => {
    expect(ids(filterCalls(calls, { query: 'SUPPORT', state: 'all' }))).toEqual(['442079460000']);
    expect(ids(filterCalls(calls, { query: 't-1042', state: 'all' }))).toEqual(['919812345678']);
    expect(ids(filterCalls(calls, { query: '204', state: 'all' }))).toEqual(['919812345678']);
  });

  it('finds a caller by a contact name, every word in any order', () => {
    const named = [
      { ...calls[0]!, callerNames: ['Asha Rao'] },
      { ...calls[1]!, callerNames: ['Ravi Kumar', 'R. Kumar (Accounts)'] },
    ];
    expect(ids(filterCalls(named, { query: 'rao asha', state: 'all' }))).toEqual(['919812345678']);
    expect(ids(filterCalls(named, { query: 'accounts', state: 'all' }))).toEqual(['442079460000']);
  });

  it('filters by state, and by state and text together', () => {
    expect(ids(filterCalls(calls, { query: '', state: 'missed' }))).toEqual(['442079460000']);
    expect(ids(filterCalls(calls, { query: 'sales', state: 'missed' }))).toEqual([]);
  });
});

describe('CSV export', () => {
  it('writes a header and one quoted row per call', () => {
    const call = {
      ...fixtureCall({ from: '919812345678', custom: { note: 'says "hi", twice\nthen hangs up' } }, ['started', 'answered', 'hangup'], now),
    };
    const [header, row, ...rest] = callsToCsv([call]).split('\r\n');
    expect(header).toBe(
      'id,conversationId,state,callerName,from,dialled,agent,team,appId,startedAt,answeredAt,endedAt,durationSec,waitedSec,hangupReason,' +
        'answeredBy,voicemail,callBack,calledBackBy,calledBackAt,custom',
    );
    expect(row).toBe(
      `${call.id},${call.conversationId},ended,,+91 98123 45678,,204_2222223,Sales_2222223,2222223,${new Date(now).toISOString()},` +
        `${new Date(now + 30_000).toISOString()},${new Date(now + 60_000).toISOString()},30,,,,,,,,"{""note"":""says \\""hi\\"", twice\\nthen hangs up""}"`,
    );
    expect(rest).toEqual(['']);
  });

  it('writes who answered, the voicemail and the call back', () => {
    const missed = fixtureCall({ from: '919812345678' }, ['started', 'hangup'], now);
    const calledBack = {
      ...missed,
      voicemail: true,
      callBack: { state: 'done' as const, by: '205_2222223', at: now + 60_000, how: 'called-back' as const },
    };
    const elsewhere = {
      ...fixtureCall({ from: '919812345678' }, ['started'], now),
      state: 'answered-elsewhere' as const,
      answeredBy: '205_2222223',
    };
    const [, pending, done, colleague] = callsToCsv([missed, calledBack, elsewhere]).split('\r\n');
    expect(pending).toContain(',missed,');
    expect(pending).toContain(',,pending,,,');
    expect(done).toContain(`,,yes,done,205_2222223,${new Date(now + 60_000).toISOString()},`);
    expect(colleague).toContain(',answered-elsewhere,');
    expect(colleague).toContain(',205_2222223,,,,,');
  });

  it('writes the caller’s contact names, defused like any text', () => {
    const call = { ...fixtureCall({ from: '919812345678' }, ['started'], now), callerNames: ['Asha Rao', '=HYPERLINK("http://evil")'] };
    expect(callsToCsv([call]).split('\r\n')[1]).toContain(`,ringing,"Asha Rao; =HYPERLINK(""http://evil"")",+91 98123 45678,`);
    const formula = { ...call, callerNames: ['=cmd|calc'] };
    expect(callsToCsv([formula]).split('\r\n')[1]).toContain(`,ringing,'=cmd|calc,+91 98123 45678,`);
  });

  it('defuses text a spreadsheet would run as a formula, but not phone numbers', () => {
    const call = fixtureCall({ from: '14155550123', user: '=HYPERLINK("http://evil")', team: '-1+1+cmd|calc' }, ['started'], now);
    const row = callsToCsv([call]).split('\r\n')[1];
    expect(row).toContain(',+1 415 555 0123,');
    expect(row).toContain(`,"'=HYPERLINK(""http://evil"")",'-1+1+cmd|calc,`);
  });
});

describe('today at a glance', () => {
  const at = (hour: number, minute = 0): number => new Date(2026, 10, 25, hour, minute).getTime();

  it('counts today’s calls per local hour, answered by me, by colleagues, missed by everyone and open apart, and stops at yesterday', () => {
    const ringAll = fixtureCall({}, ['started'], at(14, 30));
    const calls = [
      fixtureCall({}, ['started'], at(14, 50)),
      { ...ringAll, state: 'answered-elsewhere' as const, answeredBy: '205_2222223' },
      // The same conversation ringing a second agent of this desktop is one call.
      {
        ...fixtureCall({}, ['started'], at(14, 30)),
        conversationId: ringAll.conversationId,
        state: 'answered-elsewhere' as const,
        answeredBy: '205_2222223',
      },
      fixtureCall({}, ['started', 'hangup'], at(14, 10)),
      fixtureCall({}, ['started', 'answered', 'hangup'], at(9, 30)),
      fixtureCall({}, ['started', 'answered'], at(9, 0)),
      fixtureCall({}, ['started', 'hangup'], at(0, 0)),
      fixtureCall({}, ['started', 'answered'], new Date(2026, 10, 24, 23, 59).getTime()),
    ];
    const today = summariseToday(calls, now);
    expect(today.hours[14]).toEqual({ hour: 14, mine: 0, colleagues: 1, missed: 1, other: 1 });
    expect(today.hours[9]).toEqual({ hour: 9, mine: 2, colleagues: 0, missed: 0, other: 0 });
    expect(today.hours[0]).toEqual({ hour: 0, mine: 0, colleagues: 0, missed: 1, other: 0 });
    expect(today).toMatchObject({ calls: 6, mine: 2, colleagues: 1, missed: 2, averageAnswerSec: 30 });
  });

  it('has no average time to answer when no event told it', () => {
    expect(summariseToday([fixtureCall({}, ['started', 'hangup'], at(10))], now).averageAnswerSec).toBeUndefined();
    expect(summariseToday([], now)).toMatchObject({ calls: 0, mine: 0, colleagues: 0, missed: 0 });
  });
});

describe('history changes in the window', () => {
  const [a, b] = [fixtureCall({}, ['started'], now, false), fixtureCall({}, ['started'], now + 1, false)];

  it('puts a new call first, updates one in place, removes and clears', () => {
    let calls = applyHistoryChange([], { type: 'upserted', call: a });
    calls = applyHistoryChange(calls, { type: 'upserted', call: b });
    expect(calls.map((call) => call.id)).toEqual([b.id, a.id]);
    calls = applyHistoryChange(calls, { type: 'upserted', call: { ...a, state: 'answered' } });
    expect(calls.map((call) => call.state)).toEqual(['ringing', 'answered']);
    expect(applyHistoryChange(calls, { type: 'removed', ids: [a.id] }).map((call) => call.id)).toEqual([b.id]);
    expect(applyHistoryChange(calls, { type: 'read', ids: [b.id] }).map((call) => call.read)).toEqual([true, a.read]);
    expect(applyHistoryChange(calls, { type: 'cleared' })).toEqual([]);
  });
});
