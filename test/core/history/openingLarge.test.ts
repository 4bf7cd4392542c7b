import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { openCallDatabase, type CallDatabase } from '../../../src/core/history/callDatabase';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';

/** Counts the reads that wait for the database, by method (the background reading's own do not wait). */
function countingWaits(database: CallDatabase): CallDatabase & { waits: (method?: WaitingRead) => number } {
  const waits = new Map<WaitingRead, number>();
  const counted = (method: WaitingRead) => {
    const read = database[method].bind(database) as (...args: unknown[]) => unknown;
    return (...args: unknown[]) => (waits.set(method, (waits.get(method) ?? 0) + 1), read(...args));
  };
  return Object.assign(database, {
    idsAfter: counted('idsAfter'),
    get: counted('get'),
    conversationKeys: counted('conversationKeys'),
    waits: (method?: WaitingRead) => (method ? (waits.get(method) ?? 0) : (waits.get('idsAfter') ?? 0)),
  });
}
type WaitingRead = 'idsAfter' | 'get' | 'conversationKeys';

function filledFile(calls: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'telecmi-opening-')), 'calls.db');
  const filling = createCallHistory({ database: openCallDatabase(file, silentLogger), maxCalls: 10_000, log: silentLogger });
  for (let index = 0; index < calls; index += 1) filling.upsert(newCallRecord(agentCall(`call-${index}`).started));
  filling.close();
  return file;
}

describe('just after opening a large history', () => {
  it("finds an older conversation's calls without finishing the reading of every call", async () => {
    const database = countingWaits(openCallDatabase(filledFile(6000), silentLogger));
    const history = createCallHistory({ database, maxCalls: 10_000, log: silentLogger });
    expect(history.inConversation('conversation-call-17').map((call) => call.id)).toEqual(['leg-b-call-17']);
    expect(database.waits()).toBe(0);
    await history.allKnown();
    expect(history.callerCounts('919876543210', { conversationId: 'new', startedAt: Date.now() }, 0)).toBeDefined();
    history.close();
  });

  it('answers for a new call and a new conversation without asking the database, and still finds stored ones', () => {
    const database = countingWaits(openCallDatabase(filledFile(6000), silentLogger));
    const history = createCallHistory({ database, maxCalls: 10_000, log: silentLogger });
    for (let index = 0; index < 50; index += 1) {
      expect(history.get(`leg-b-new-${index}`)).toBeUndefined();
      expect(history.inConversation(`conversation-new-${index}`)).toEqual([]);
    }
    expect(database.waits('get')).toBe(0);
    expect(database.waits('conversationKeys')).toBe(0);
    // Stored before the restart: looked up, as ever.
    expect(history.get('leg-b-call-5999')?.conversationId).toBe('conversation-call-5999');
    expect(history.inConversation('conversation-call-3').map((call) => call.id)).toEqual(['leg-b-call-3']);
    history.close();
  });
});
