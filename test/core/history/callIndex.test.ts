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
