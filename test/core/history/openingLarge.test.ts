import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { openCallDatabase, type CallDatabase } from '../../../src/core/history/callDatabase';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';

/** Counts the reads that wait for the database (the background reading's own do not). */
function countingWaits(database: CallDatabase): CallDatabase & { waits: () => number } {
  let waits = 0;
  const idsAfter = database.idsAfter.bind(database);
  return Object.assign(database, {
    idsAfter: (...args: Parameters<CallDatabase['idsAfter']>) => ((waits += 1), idsAfter(...args)),
    waits: () => waits,
  });
}

describe('just after opening a large history', () => {
  it("finds an older conversation's calls without finishing the reading of every call", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-opening-')), 'calls.db');
    const filling = createCallHistory({ database: openCallDatabase(file, silentLogger), maxCalls: 10_000, log: silentLogger });
    for (let index = 0; index < 6000; index += 1) filling.upsert(newCallRecord(agentCall(`call-${index}`).started));
    filling.close();

    const database = countingWaits(openCallDatabase(file, silentLogger));
    const history = createCallHistory({ database, maxCalls: 10_000, log: silentLogger });
    expect(history.inConversation('conversation-call-17').map((call) => call.id)).toEqual(['leg-b-call-17']);
    expect(database.waits()).toBe(0);
    await history.allKnown();
    expect(history.callerCounts('919876543210', { conversationId: 'new', startedAt: Date.now() }, 0)).toBeDefined();
    history.close();
  });
});
