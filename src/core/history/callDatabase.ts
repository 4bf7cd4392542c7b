import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Sqlite from 'node-sqlite3-wasm';
import { callRecordSchema, type CallRecord } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import { fileTime, keepAside } from '../storage/keptAside';

/** What the history keeps in memory of every call: enough to find, order, count and evict it. */
export interface CallIndexEntry {
  id: string;
  conversationId: string;
  read: boolean;
}

/** One transaction's worth of changes, applied in this order. */
export interface CallWrite {
  cleared: boolean;
  allRead: boolean;
  upserts: readonly CallRecord[];
  removed: readonly string[];
  eventKeys: readonly string[];
}

// A CommonJS module whose types declare named exports it only has on its default export.
const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;

/** Event keys kept to answer a redelivery after a restart with `"duplicate": true`. */
const eventKeysKept = 20_000;

const schema = `
  CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    read INTEGER NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS calls_index ON calls (seq, id, conversation_id, read);
  CREATE TABLE IF NOT EXISTS event_keys (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
`;

/**
 * The call history on disk: SQLite (compiled to WebAssembly, so the same file and code run
 * under Node and Electron with nothing to build), one row per call, written in transactions of
 * whatever changed. Opening reads only the small index; records are read when asked for.
 */
export function openCallDatabase(filePath: string | undefined, log: Logger, { now = () => new Date(), readOnly = false } = {}) {
  const db = readOnly && filePath ? openReadOnly(filePath) : openOrKeepAside(filePath, log, now);
  const upsert = db.prepare(
    'INSERT INTO calls (id, conversation_id, read, record) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET read = excluded.read, record = excluded.record',
  );
  const remove = db.prepare('DELETE FROM calls WHERE id = ?');
  const addEventKey = db.prepare('INSERT OR IGNORE INTO event_keys (key) VALUES (?)');

  const toRecord = (row: { record: string; read: number }): CallRecord | undefined => {
    const parsed = callRecordSchema.safeParse(JSON.parse(row.record));
    return parsed.success ? { ...parsed.data, read: row.read === 1 } : undefined;
  };

  return {
    /** Where the calls are kept; undefined when only in memory. */
    filePath,

    /** Every call, oldest first. */
    index(): CallIndexEntry[] {
      const rows = db.all('SELECT id, conversation_id, read FROM calls INDEXED BY calls_index ORDER BY seq') as Array<{ id: string; conversation_id: string; read: number }>;
      return rows.map((row) => ({ id: row.id, conversationId: row.conversation_id, read: row.read === 1 }));
    },

    get(id: string): CallRecord | undefined {
      const row = db.get('SELECT record, read FROM calls WHERE id = ?', id) as { record: string; read: number } | null;
      return row ? toRecord(row) : undefined;
    },

    /** Calls newest first, `limit` of them after skipping `offset`. */
    page(offset: number, limit: number): CallRecord[] {
      const rows = db.all('SELECT record, read FROM calls ORDER BY seq DESC LIMIT ? OFFSET ?', [limit, offset]) as Array<{ record: string; read: number }>;
      return rows.flatMap((row) => toRecord(row) ?? []);
    },

    recentEventKeys(): string[] {
      return (db.all('SELECT key FROM event_keys ORDER BY seq DESC LIMIT ?', eventKeysKept) as Array<{ key: string }>).map((row) => row.key).reverse();
    },

    /**
     * Applies the changes in one transaction. A record that cannot be serialised is reported and
     * left out: it never keeps the others from being saved. Throws when the disk refuses.
     */
    write(changes: CallWrite): void {
      const rows = changes.upserts.flatMap((call) => {
        try {
          return [[call.id, call.conversationId, call.read ? 1 : 0, JSON.stringify(call)] as [string, string, number, string]];
        } catch (error) {
          log.error('a call could not be saved and is left out', { call: call.id, error: String(error) });
          return [];
        }
      });
      db.exec('BEGIN IMMEDIATE');
      try {
        if (changes.cleared) db.exec('DELETE FROM calls');
        if (changes.allRead) db.exec('UPDATE calls SET read = 1 WHERE read = 0');
        for (const id of changes.removed) remove.run(id);
        for (const row of rows) upsert.run(row);
        for (const key of changes.eventKeys) addEventKey.run(key);
        if (changes.eventKeys.length > 0) db.run('DELETE FROM event_keys WHERE seq <= (SELECT MAX(seq) FROM event_keys) - ?', eventKeysKept);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },

    /** Calls about to be dropped from the history (a lowered cap), copied beside the database first. */
    keepAside(calls: readonly CallRecord[], reason: string): void {
      if (calls.length === 0) return;
      if (!filePath) return log.warn('calls removed from the history', { count: calls.length, reason });
      const aside = `${filePath}.removed-${fileTime(now())}.json`;
      writeFileSync(aside, JSON.stringify(calls), { mode: 0o600 });
      log.warn('calls removed from the history; a copy was kept', { count: calls.length, reason, keptAt: aside });
    },

    close(): void {
      upsert.finalize();
      remove.finalize();
      addEventKey.finalize();
      db.close();
    },
  };
}

export type CallDatabase = ReturnType<typeof openCallDatabase>;

/** Opens (or makes) the database; a file that is not one is kept aside and a new one made. */
function openOrKeepAside(filePath: string | undefined, log: Logger, now: () => Date): Sqlite.Database {
  try {
    return prepare(new Database(filePath));
  } catch (error) {
    if (!filePath || !existsSync(filePath) || !/not a database|malformed/i.test(String(error))) throw error;
    keepAside(filePath, 'move', String(error), log, now());
    return prepare(new Database(filePath));
  }
}

/** For reading alone (`telecmi-notifier calls`): nothing is made, moved or changed. */
function openReadOnly(filePath: string): Sqlite.Database {
  const db = new Database(filePath, { readOnly: true, fileMustExist: true });
  try {
    db.exec('PRAGMA busy_timeout = 2000');
    db.get('SELECT COUNT(*) FROM calls');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A rollback journal (not WAL: that would need exclusive locking here, and `calls` reads the
 * file while `serve` runs), synced at each commit's end only: a killed process loses nothing
 * committed, and a power cut leaves the file consistent.
 */
function prepare(db: Sqlite.Database): Sqlite.Database {
  try {
    db.exec('PRAGMA busy_timeout = 2000; PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = NORMAL;');
    db.exec(schema);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
