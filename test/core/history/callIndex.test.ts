import { describe, expect, it } from 'vitest';
import { createCallIndex } from '../../../src/core/history/callIndex';

describe('call index', () => {
  const entries = (calls: ReadonlyMap<string, number>) => [...calls.entries()].sort();

  it('keeps each key’s calls with their start times, one or many, and forgets removed ones', () => {
    const index = createCallIndex();
    index.add('a', '91', 1);
    index.add('b', '44', 2);
    index.add('c', '91', 3);
    index.add('c', '91', 99);
    index.add('d', null, 4);
    expect(entries(index.callsOf('91'))).toEqual([['a', 1], ['c', 3]]);
    expect(entries(index.callsOf('44'))).toEqual([['b', 2]]);
    index.remove('a');
    expect(entries(index.callsOf('91'))).toEqual([['c', 3]]);
    index.remove('c');
    index.remove('b');
    index.remove('unknown');
    expect(index.callsOf('91').size + index.callsOf('44').size).toBe(0);
    index.add('e', '91', 5);
    expect(entries(index.callsOf('91'))).toEqual([['e', 5]]);
    index.clear();
    expect(index.callsOf('91').size).toBe(0);
  });
});
