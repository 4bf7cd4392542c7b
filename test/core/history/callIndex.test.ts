import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCallIndex } from '../../../src/core/history/callIndex';

describe('call index', () => {
  const entries = (calls: ReadonlyMap<string, number | { startedAt: number }>) =>
    [...calls.entries()].map(([id, call]) => [id, typeof call === 'number' ? call : call.startedAt]).sort();

  it('keeps each caller’s and each conversation’s calls with their start times, one or many, and forgets removed ones', () => {
    const index = createCallIndex();
    index.add('a', { caller: '91', conversationId: 'c1', startedAt: 1 });
    index.add('b', { caller: '44', conversationId: 'c2', startedAt: 2 });
    index.add('c', { caller: '91', conversationId: 'c1', startedAt: 3 });
    index.add('c', { caller: '91', conversationId: 'c9', startedAt: 99 });
    index.add('d', { caller: null, conversationId: 'c3', startedAt: 4 });
    expect(entries(index.callsOfCaller('91'))).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(entries(index.callsOfCaller('44'))).toEqual([['b', 2]]);
    expect(entries(index.callsInConversation('c1'))).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(entries(index.callsInConversation('c3'))).toEqual([['d', 4]]);
    expect(index.callsInConversation('c9').size).toBe(0);
    expect([index.has('d'), index.has('e')]).toEqual([true, false]);
    index.remove('a');
    expect(entries(index.callsOfCaller('91'))).toEqual([['c', 3]]);
    expect(entries(index.callsInConversation('c1'))).toEqual([['c', 3]]);
    index.remove('c');
    index.remove('b');
    index.remove('unknown');
    expect(index.callsOfCaller('91').size + index.callsOfCaller('44').size + index.callsInConversation('c1').size).toBe(0);
    index.add('e', { caller: '91', conversationId: 'c1', startedAt: 5 });
    expect(entries(index.callsOfCaller('91'))).toEqual([['e', 5]]);
    index.clear();
    expect([index.callsOfCaller('91').size, index.has('e')]).toEqual([0, false]);
  });
});

describe('caller counts', () => {
  const day = 24 * 3600_000;
  const midnight = new Date(2026, 11, 6).getTime();

  /** The counts by their definition: every call of the caller, its own conversation and later calls left out. */
  function expected(
    calls: Map<string, { caller: string; conversationId: string; startedAt: number }>,
    probe: { caller: string; conversationId: string; startedAt: number },
  ) {
    const today = new Set<string>();
    let last: number | undefined;
    for (const call of calls.values()) {
      if (call.caller !== probe.caller || call.conversationId === probe.conversationId || call.startedAt > probe.startedAt) continue;
      if (call.startedAt >= midnight) today.add(call.conversationId);
      last = Math.max(last ?? -Infinity, call.startedAt);
    }
    return { today: today.size, lastStartedAt: last };
  }

  it('agree with counting every call, whatever was added and removed in whatever order', () => {
    const call = fc.record({
      caller: fc.constantFrom('91', '44'),
      conversationId: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12'),
      startedAt: fc.integer({ min: midnight - 2 * day, max: midnight + day - 1 }),
    });
    const step = fc.oneof(
      fc.record({ add: fc.integer({ min: 0, max: 40 }), call }),
      fc.record({ remove: fc.integer({ min: 0, max: 40 }) }),
    );
    // Half the probes are the newest call (the usual popup, answered from the counters), half anywhere (out of order).
    const probes = fc.oneof(
      call,
      call.map((each) => ({ ...each, startedAt: midnight + day - 1 })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), probes, (steps, probe) => {
        const index = createCallIndex();
        const calls = new Map<string, { caller: string; conversationId: string; startedAt: number }>();
        for (const each of steps) {
          if ('add' in each) {
            if (calls.has(`id${each.add}`)) continue;
            calls.set(`id${each.add}`, each.call);
            index.add(`id${each.add}`, each.call);
          } else {
            calls.delete(`id${each.remove}`);
            index.remove(`id${each.remove}`);
          }
        }
        const counts = index.callerCounts(probe.caller, probe, midnight);
        const want = expected(calls, probe);
        expect(counts.today).toBe(want.today);
        expect(counts.lastId === undefined ? undefined : calls.get(counts.lastId)?.startedAt).toBe(want.lastStartedAt);
      }),
      { numRuns: 500 },
    );
  });
});
