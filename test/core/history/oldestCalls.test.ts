import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { beforeEverySeq, openCallDatabase, type CallDatabase } from '../../../src/core/history/callDatabase';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';

const call = (index: number) => newCallRecord(agentCall(`call-${index}`).started);

/** The read ahead is read in its turn, as the database thread would, but answered only once the test releases it. */
function holdReadAhead(database: CallDatabase): Array<() => void> {
  const held: Array<() => void> = [];
  const oldestAfter = database.oldestAfter.bind(database);
  database.oldestAfterLater = (...args) => {
    const rows = oldestAfter(...args);
    return new Promise((resolve) => held.push(() => resolve(rows)));
  };
  return held;
}

describe('evicting at the cap', () => {
  it('reads the next calls to evict ahead, without waiting, and evicts each call once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-oldest-')), 'calls.db');
    const database = openCallDatabase(file, silentLogger);
    let waited = 0;
    const oldestAfter = database.oldestAfter.bind(database);
    database.oldestAfter = (...args) => ((waited += 1), oldestAfter(...args));
    // As a database in a worker answers: later, and not through the call that waits.
    database.oldestAfterLater = async (...args) => oldestAfter(...args);
    const history = createCallHistory({ database, maxCalls: 1000, log: silentLogger });
    for (let index = 0; index < 1000; index += 1) history.upsert(call(index));
    history.flush();

    for (let index = 1000; index < 5000; index += 1) {
      history.upsert(call(index));
      // Written now and then, as the flush timer would, and a turn for the read ahead to come back.
      if (index % 100 === 0) {
        history.flush();
        await nextTurn();
      }
    }
    history.flush();
    // The first chunk only: every later one was read ahead.
    expect(waited).toBe(1);
    expect(history.size()).toBe(1000);
    const kept = database.oldestAfter(beforeEverySeq, 5000).map((stored) => stored.id);
    expect(kept).toEqual(Array.from({ length: 1000 }, (_, index) => `leg-b-call-${4000 + index}`));
    history.close();
  });

  it('evicts each call once when a chunk read at once overtakes one read ahead', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-oldest-')), 'calls.db');
    const database = openCallDatabase(file, silentLogger);
    // Meanwhile the evictions run out of calls, read the same ones at once, evict them and write that.
    const held = holdReadAhead(database);
    const history = createCallHistory({ database, maxCalls: 600, log: silentLogger });
    for (let index = 0; index < 600; index += 1) history.upsert(call(index));
    history.flush();
    for (let index = 600; index < 3000; index += 1) {
      history.upsert(call(index));
      if (index % 50 === 0) history.flush();
    }
    history.flush();
    for (const release of held.splice(0)) release();
    await nextTurn();
    for (let index = 3000; index < 3600; index += 1) history.upsert(call(index));
    history.flush();
    expect(history.size()).toBe(600);
    expect(database.counts().total).toBe(600);
    expect(database.oldestAfter(beforeEverySeq, 1)[0]?.id).toBe('leg-b-call-3000');
    history.close();
  });

  it('counts the calls marked read while the next ones to evict were being read ahead as read', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-oldest-')), 'calls.db');
    const filling = createCallHistory({ database: openCallDatabase(file, silentLogger), maxCalls: 600, log: silentLogger });
    for (let index = 0; index < 600; index += 1) filling.upsert(call(index));
    filling.close();
    // Opened again at the cap: what the first eviction takes is read ahead (and held here), none of it in memory.
    const database = openCallDatabase(file, silentLogger);
    const held = holdReadAhead(database);
    const history = createCallHistory({ database, maxCalls: 600, log: silentLogger });
    expect(held).toHaveLength(1);
    // Read before "mark all read" was written; answered after.
    history.markAllRead();
    history.flush();
    for (const release of held.splice(0)) release();
    await nextTurn();
    for (let index = 600; index < 1200; index += 1) history.upsert(call(index));
    history.flush();
    // The 600 newest, unread: every older one was read, and evicted as read.
    expect(history.unreadCount()).toBe(600);
    expect(database.counts()).toEqual({ total: 600, unread: 600 });
    history.close();
  });
});
