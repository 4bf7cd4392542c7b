import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/core/calls/callRecord';
import { callsToCsv } from '../../src/renderer/logic/csvExport';
import { duration, relativeTime, stateSummary, whoAnswers } from '../../src/renderer/logic/format';
import { filterCalls } from '../../src/renderer/logic/search';
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

  it('filters by state, and by state and text together', () => {
    expect(ids(filterCalls(calls, { query: '', state: 'missed' }))).toEqual(['442079460000']);
    expect(ids(filterCalls(calls, { query: 'sales', state: 'missed' }))).toEqual([]);
  });
});

describe('CSV export', () => {
  it('writes a header and one quoted row per call', () => {
    const call = { ...fixtureCall({ from: '919812345678', custom: { note: 'says "hi", twice\nthen hangs up' } }, ['started', 'answered', 'hangup'], now) };
    const [header, row, ...rest] = callsToCsv([call]).split('\r\n');
    expect(header).toBe('id,conversationId,state,from,dialled,agent,team,appId,startedAt,answeredAt,endedAt,durationSec,waitedSec,hangupReason,custom');
    expect(row).toBe(
      `${call.id},${call.conversationId},ended,+91 98123 45678,,204_2222223,Sales_2222223,2222223,${new Date(now).toISOString()},` +
        `${new Date(now + 30_000).toISOString()},${new Date(now + 60_000).toISOString()},30,,,"{""note"":""says \\""hi\\"", twice\\nthen hangs up""}"`,
    );
    expect(rest).toEqual(['']);
  });

  it('defuses text a spreadsheet would run as a formula, but not phone numbers', () => {
    const call = fixtureCall({ from: '14155550123', user: '=HYPERLINK("http://evil")', team: '-1+1+cmd|calc' }, ['started'], now);
    const row = callsToCsv([call]).split('\r\n')[1];
    expect(row).toContain(',+1 415 555 0123,');
    expect(row).toContain(`,"'=HYPERLINK(""http://evil"")",'-1+1+cmd|calc,`);
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
