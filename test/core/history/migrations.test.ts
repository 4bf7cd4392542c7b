import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sqlite from 'node-sqlite3-wasm';
import { describe, expect, it } from 'vitest';
import { openCallDatabase } from '../../../src/core/history/callDatabase';
import { schemaVersion } from '../../../src/core/history/migrations';
import { silentLogger } from '../../../src/core/log/logger';
import { recordingLogger } from '../../support/fakes';

const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;

function rawFile(file: string, statements: string): number {
  const raw = new Database(file);
  raw.exec(`PRAGMA locking_mode = EXCLUSIVE; ${statements}`);
  const { user_version } = raw.get('PRAGMA user_version') as { user_version: number };
  raw.close();
  return user_version;
}

const newFile = (): string => join(mkdtempSync(join(tmpdir(), 'telecmi-schema-')), 'calls.db');

describe('history schema versions', () => {
  it('numbers a new file with the current schema version', () => {
    const file = newFile();
    openCallDatabase(file, silentLogger).close();
    expect(schemaVersion).toBeGreaterThanOrEqual(1);
    expect(rawFile(file, '')).toBe(schemaVersion);
  });

  it('brings an unnumbered file of an earlier version up to the current version once, and says so once', () => {
    const file = newFile();
    rawFile(
      file,
      `CREATE TABLE calls (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL, read INTEGER NOT NULL, record TEXT NOT NULL);
       CREATE TABLE event_keys (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
       INSERT INTO calls (id, conversation_id, read, record) VALUES ('a', 'c', 0, '{"from":{"digits":"919876543210"},"startedAt":5}');`,
    );
    const log = recordingLogger();
    const database = openCallDatabase(file, log);
    expect(database.idsAfter(0, 10).calls).toEqual([{ id: 'a', conversationId: 'c', caller: '919876543210', startedAt: 5 }]);
    database.close();
    expect(rawFile(file, '')).toBe(schemaVersion);
    openCallDatabase(file, log).close();
    expect(log.lines.filter((line) => line.message.startsWith('updating the call history'))).toHaveLength(1);
  });

  it('refuses a file written by a newer version, naming what to do, and leaves it as it is', () => {
    const file = newFile();
    openCallDatabase(file, silentLogger).close();
    rawFile(file, `PRAGMA user_version = ${schemaVersion + 1}`);
    expect(() => openCallDatabase(file, silentLogger)).toThrow(/written by a newer version of TeleCMI Notifier .*: update it/);
    expect(rawFile(file, '')).toBe(schemaVersion + 1);
  });
});
