import { existsSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { beforeEverySeq, openCallDatabase } from '../../../src/core/history/callDatabase';
import { openHistoryDatabase } from '../../../src/core/history/historyFolder';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';

/** A calls.json as earlier versions wrote it, newest first: `count` calls of about 1.5 KB. */
function legacyFile(folder: string, count: number): void {
  const template = JSON.stringify(newCallRecord(agentCall('TEMPLATE').started));
  const calls = Array.from({ length: count }, (_, index) => template.replaceAll('TEMPLATE', String(count - 1 - index)));
  writeFileSync(join(folder, 'calls.json'), `{"version":1,"calls":[\n${calls.join(',\n')}\n]}\n`);
}

/** Opens the folder's history in a thread whose heap is `heapMb`: what the upgrade needs at most. */
function openWithHeapOf(folder: string, heapMb: number): Promise<number> {
  const source = new URL('../../../src/core/history/historyFolder.ts', import.meta.url).href;
  const logger = new URL('../../../src/core/log/logger.ts', import.meta.url).href;
  const boot = `
    const { parentPort, workerData } = require('node:worker_threads');
    import('tsx/esm/api').then(async (tsx) => {
      tsx.register();
      const { openHistoryDatabase } = await import(${JSON.stringify(source)});
      const { silentLogger } = await import(${JSON.stringify(logger)});
      const database = openHistoryDatabase(workerData, silentLogger);
      parentPort.postMessage(database.counts().total);
      database.close();
    });`;
  const worker = new Worker(boot, { eval: true, workerData: folder, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker stopped (${code}) before answering`)));
  });
}

describe('the move from an earlier version’s calls.json', () => {
  it('streams the file: 60 MB of calls move in with a heap of 64 MB', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'telecmi-upgrade-'));
    legacyFile(folder, 40_000);
    await expect(openWithHeapOf(folder, 64)).resolves.toBe(40_000);
    expect(readdirSync(folder).some((file) => file.startsWith('calls.json.migrated-'))).toBe(true);
  }, 120_000);

  it('keeps the order of the file across chunks, oldest first, before calls already stored', () => {
    const folder = mkdtempSync(join(tmpdir(), 'telecmi-upgrade-'));
    const stored = openCallDatabase(join(folder, 'calls.db'), silentLogger);
    stored.write({ cleared: false, allRead: false, upserts: [newCallRecord(agentCall('stored').started)], removed: [], eventKeys: [] });
    stored.close();
    legacyFile(folder, 3000);
    const database = openHistoryDatabase(folder, silentLogger);
    const oldest = database.oldestAfter(beforeEverySeq, 5000);
    const ids = oldest.map((call) => call.id);
    expect(ids.slice(0, 3)).toEqual(['leg-b-0', 'leg-b-1', 'leg-b-2']);
    expect(ids.slice(-2)).toEqual(['leg-b-2999', 'leg-b-stored']);
    expect(ids).toHaveLength(3001);
    database.write({ cleared: false, allRead: false, upserts: [newCallRecord(agentCall('after').started)], removed: [], eventKeys: [] });
    expect(database.oldestAfter(oldest[3000]?.seq ?? 0, 1).map((call) => call.id)).toEqual(['leg-b-after']);
    database.close();
  });
});

describe('the move from calls.json on a disk that refuses it', () => {
  it.runIf(existsSync('/dev/full'))('keeps calls.json where it is for the next start, and says the disk refused', () => {
    const folder = mkdtempSync(join(tmpdir(), 'telecmi-upgrade-'));
    openCallDatabase(join(folder, 'calls.db'), silentLogger).close();
    legacyFile(folder, 50);
    // Every write to the write-ahead log fails with "no space left", as on a full disk.
    symlinkSync('/dev/full', join(folder, 'calls.db-wal'));
    expect(() => openHistoryDatabase(folder, silentLogger)).toThrow(/disk/);
    expect(readdirSync(folder)).toContain('calls.json');
    expect(readdirSync(folder).filter((file) => file.startsWith('calls.json.'))).toEqual([]);
  });
});
