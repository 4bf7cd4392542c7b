import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { openHistoryDatabase } from '../../../src/core/history/historyFolder';
import { openWorkerDatabase } from '../../../src/core/history/worker/workerDatabase';
import { agentCall } from '../../support/events';
import { recordingLogger } from '../../support/fakes';

const call = (id: string) => newCallRecord(agentCall(id).started);

describe('the history database in a worker thread', () => {
  const opened: Array<{ close(): unknown }> = [];
  afterEach(() => {
    for (const each of opened.splice(0)) each.close();
  });

  function open(folder = mkdtempSync(join(tmpdir(), 'telecmi-worker-'))) {
    const log = recordingLogger();
    const database = openWorkerDatabase(folder, log);
    opened.push(database);
    return { folder, log, database };
  }

  it('keeps the calls the history writes, in the background or at once, and reads them back', async () => {
    const { database } = open();
    const history = createCallHistory({ database, maxCalls: 100, log: recordingLogger(), flushDelayMs: 5 });
    history.upsert(call('a'));
    await vi.waitFor(() => expect(database.counts().total).toBe(1));
    history.upsert(call('b'));
    expect(history.flush()).toBe(true);
    expect(database.get('leg-b-b')?.id).toBe('leg-b-b');
    expect((await history.list()).map((record) => record.id)).toEqual(['leg-b-b', 'leg-b-a']);
  });

  it('starts a worker that died again, reopening the file, and loses nothing the history had not seen written', async () => {
    const { database, log } = open();
    const history = createCallHistory({ database, maxCalls: 100, log, flushDelayMs: 5 });
    history.upsert(call('before'));
    expect(history.flush()).toBe(true);
    await database.thread?.terminate();
    history.upsert(call('after'));
    await vi.waitFor(() => expect(history.saveState()).toEqual({ saved: true }), { timeout: 5000 });
    expect(history.flush()).toBe(true);
    expect(database.counts().total).toBe(2);
  });

  it('tells a history that another process holds, with the reason', () => {
    const { folder } = open();
    expect(() => openWorkerDatabase(folder, recordingLogger())).toThrow(/in use by another process/);
  });

  it('fails to open a folder it cannot use with the same error as on the main thread', () => {
    const attempt = (open: () => unknown): unknown => {
      try {
        return open();
      } catch (error) {
        return { message: (error as Error).message, code: (error as { code?: string }).code };
      }
    };
    const folder = '/proc/telecmi-no-such-folder';
    expect(attempt(() => openWorkerDatabase(folder, recordingLogger()))).toEqual(
      attempt(() => openHistoryDatabase(folder, recordingLogger())),
    );
  });
});
