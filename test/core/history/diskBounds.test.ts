import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Sqlite from 'node-sqlite3-wasm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { openCallDatabase } from '../../../src/core/history/callDatabase';
import { describeDatabaseError } from '../../../src/core/history/sqliteFile';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';

const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

describe('the history on disk stays bounded while it runs', () => {
  it('checkpoints the write-ahead log while calls come in, whatever the history reads meanwhile', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-wal-')), 'calls.db');
    const history = createCallHistory({ database: openCallDatabase(file, silentLogger), maxCalls: 1000, log: silentLogger });
    for (let index = 0; index < 4000; index += 1) {
      history.upsert(newCallRecord(agentCall(`call-${index}`).started));
      // What the pipeline and the window read between writes: a call by id, the newest calls.
      history.get(`leg-b-call-${index - 500}`);
      if (index % 20 === 0) await history.recent(20);
      if (index % 10 === 9) history.flush();
    }
    // 4,000 calls of about 1.5 KB: without checkpoints the log holds all of them (over 20 MB).
    expect(sizeOf(`${file}-wal`)).toBeLessThan(2_000_000);
    expect(sizeOf(file)).toBeGreaterThan(100_000);
    history.close();
  });
});

const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;

/** A file as versions before incremental vacuum made it: its tables made while auto_vacuum was off. */
function fileWithoutIncrementalVacuum(file: string): void {
  const db = new Database(file);
  db.exec('PRAGMA auto_vacuum = NONE; CREATE TABLE made_before (x);');
  db.close();
}

describe('the history file shrinks after a lowered cap', () => {
  it.each([
    ['a file made by this version', (): void => {}],
    ['a file made before incremental vacuum', fileWithoutIncrementalVacuum],
  ])('%s', async (_, makeFile) => {
    const file = join(mkdtempSync(join(tmpdir(), 'telecmi-shrink-')), 'calls.db');
    makeFile(file);
    const history = createCallHistory({ database: openCallDatabase(file, silentLogger), maxCalls: 5000, log: silentLogger });
    for (let index = 0; index < 3000; index += 1) history.upsert(newCallRecord(agentCall(`call-${index}`).started));
    history.flush();
    const full = sizeOf(file) + sizeOf(`${file}-wal`);
    history.setMaxCalls(100);
    history.flush();
    const shrunk = sizeOf(file) + sizeOf(`${file}-wal`);
    expect(full).toBeGreaterThan(2_000_000);
    expect(shrunk).toBeLessThan(full / 5);
    expect(await history.recent(200)).toHaveLength(100);
    history.close();
  });
});

describe('what the history says when the disk refuses', () => {
  it.each([
    ['database or disk is full', 'the disk is full: free some space where the history is kept'],
    ['database is locked', 'the history file is locked by another program'],
    ['attempt to write a readonly database', 'the history file cannot be written (read-only or not allowed)'],
    ['disk I/O error', 'disk I/O error'],
  ])('%s -> %s', (sqlite, said) => {
    expect(describeDatabaseError(new Error(sqlite))).toBe(said);
  });
});
