import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Sqlite from 'node-sqlite3-wasm';
import { callRecordSchema, type CallRecord } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import { fileTime, keepAside } from '../storage/keptAside';

/** One transaction's worth of changes, applied in this order. */
export interface CallWrite {
  cleared: boolean;
  allRead: boolean;
  upserts: readonly CallRecord[];
  removed: readonly string[];
  eventKeys: readonly string[];
}

/** What the history indexes of each stored call. */
export type StoredCallKeys = {
  id: string;
  conversationId: string;
  caller: string | null;
  startedAt: number;
};

/** A seq as SQLite holds it: the driver gives one beyond 2^53 as a bigint, exactly. */
export type Seq = number | bigint;

// A CommonJS module whose types declare named exports it only has on its default export.
const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;

/** Event keys kept to answer a redelivery after a restart with `"duplicate": true`. */
const eventKeysKept = 20_000;

/**
 * The calls table has no index on the conversation or the caller, and event keys none on the key:
 * each such index is a page at a random place written for every call, which is most of what a
 * write costs (and checkpoints) at 100,000 calls. The history finds those in memory instead,
 * learnt from `calls_keys` (see `keysIndex`).
 */
const schema = `
  CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    read INTEGER NOT NULL,
    record TEXT NOT NULL,
    caller TEXT,
    started_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS calls_unread ON calls (seq) WHERE read = 0;
  CREATE TABLE IF NOT EXISTS event_keys (seq INTEGER PRIMARY KEY, key TEXT NOT NULL);
`;

/**
 * Columns added since the first files, each with what fills it from the record (a damaged record
 * gives null: `json_extract` would fail the whole update, and the file would be taken for corrupt).
 */
const addedColumns = {
  caller: ['TEXT', "CASE WHEN json_valid(record) THEN json_extract(record, '$.from.digits') END"],
  started_at: ['INTEGER', "CASE WHEN json_valid(record) THEN json_extract(record, '$.startedAt') END"],
} as const;
type AddedColumn = keyof typeof addedColumns;

const missingColumns = (db: Sqlite.Database): AddedColumn[] => {
  const present = new Set((db.all('PRAGMA table_info(calls)') as Array<{ name: string }>).map((column) => column.name));
  return (Object.keys(addedColumns) as AddedColumn[]).filter((name) => !present.has(name));
};

/** Indexes of earlier versions, which the history now keeps in memory. */
const droppedIndexes = ['calls_by_conversation', 'calls_by_caller'];

/**
 * What the history learns of every call at opening, in the order of the rows: reading it from
 * this index instead of the rows (which hold whole records) is about 4 times faster at 100,000
 * calls. Ordered by seq, it is written where the table is, at its ends: no random page.
 */
const keysIndex = 'CREATE INDEX calls_keys ON calls (seq, id, conversation_id, caller, started_at);';

/** What an earlier version's file lacks, or has and should not: empty for a current one. */
function upgradesDue(db: Sqlite.Database): string[] {
  const indexes = new Set(
    (db.all("SELECT name FROM sqlite_master WHERE type = 'index'") as Array<{ name: string }>).map((index) => index.name),
  );
  const keysAreUnique = (db.all('PRAGMA index_list(event_keys)') as Array<{ unique: number }>).some((index) => index.unique === 1);
  return [
    ...missingColumns(db).map(
      (name) => `ALTER TABLE calls ADD COLUMN ${name} ${addedColumns[name][0]}; UPDATE calls SET ${name} = ${addedColumns[name][1]};`,
    ),
    ...droppedIndexes.filter((name) => indexes.has(name)).map((name) => `DROP INDEX ${name};`),
    ...(keysAreUnique
      ? [
          'CREATE TABLE event_keys_now (seq INTEGER PRIMARY KEY, key TEXT NOT NULL); INSERT INTO event_keys_now SELECT seq, key FROM event_keys; DROP TABLE event_keys; ALTER TABLE event_keys_now RENAME TO event_keys;',
        ]
      : []),
    ...(indexes.has('calls_keys') ? [] : [keysIndex]),
  ];
}

/**
 * Files of earlier versions lack the `caller` and `started_at` columns (what the history's
 * indexes are learnt from without parsing records) and have indexes this version does without:
 * brought up to date once, in one transaction, so a crash midway leaves the file as it was.
 */
function upgrade(db: Sqlite.Database, log: Logger): void {
  const due = upgradesDue(db);
  if (due.length === 0) return;
  // About 4 s at 100,000 calls when the columns are filled, 1 s otherwise, once (a new file: nothing to say).
  if (db.get('SELECT 1 FROM calls LIMIT 1')) log.info('updating the call history for this version (once)');
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const statements of due) db.exec(statements);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** A column to read: itself, or (a file of an earlier version, read only) what it would be filled with. */
const readable =
  (missing: readonly AddedColumn[]) =>
  (name: AddedColumn): string =>
    missing.includes(name) ? addedColumns[name][1] : name;

/**
 * The call history on disk: SQLite (compiled to WebAssembly, so the same file and code run
 * under Node and Electron with nothing to build), one row per call, written in transactions of
 * whatever changed. Nothing is read at opening but two counts: records are read when asked for.
 */
export function openCallDatabase(filePath: string | undefined, log: Logger, { now = () => new Date(), readOnly = false } = {}) {
  if (filePath) claimOrRefuse(filePath, log);
  const db = readOnly && filePath ? openReadOnly(filePath) : openOrKeepAside(filePath, log, now);
  // Whoever holds the lock says so, readers included: another opener must never take it over.
  if (filePath) writeFileSync(ownerFile(filePath), String(process.pid), { mode: 0o600 });
  let open = true;
  // A file of an earlier version is only ever read as it is (`calls`): its new columns are computed.
  const column = readable(readOnly ? missingColumns(db) : []);
  // Prepared once: preparing a statement costs more than running it.
  const statements = {
    remove: db.prepare('DELETE FROM calls WHERE id = ?'),
    addEventKey: db.prepare('INSERT INTO event_keys (key) VALUES (?)'),
    get: db.prepare('SELECT record, read FROM calls WHERE id = ?'),
    oldest: db.prepare('SELECT id, read FROM calls ORDER BY seq LIMIT ? OFFSET ?'),
    // One JSON row per chunk: the driver's cost is per row, and it was most of the reading. The
    // casts keep a damaged row (a blob, which JSON cannot hold) from failing its whole chunk; the
    // last seq comes beside the JSON, which would round one beyond 2^53.
    idsAfter: db.prepare(
      `SELECT json_group_array(json_object('id', CAST(id AS TEXT), 'conversationId', CAST(conversation_id AS TEXT), 'caller', CAST(caller AS TEXT), 'startedAt', CAST(started_at AS INTEGER))) AS keys, MAX(seq) AS last FROM (SELECT seq, id, conversation_id, ${column('caller')} AS caller, ${column('started_at')} AS started_at FROM calls WHERE seq > ? ORDER BY seq LIMIT ?)`,
    ),
    ...(!readOnly && {
      upsert: db.prepare(
        'INSERT INTO calls (id, conversation_id, read, record, caller, started_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET read = excluded.read, record = excluded.record, caller = excluded.caller, started_at = excluded.started_at',
      ),
    }),
  };

  const toRecord = (row: { record: string; read: number }): CallRecord | undefined => {
    const parsed = callRecordSchema.safeParse(JSON.parse(row.record));
    return parsed.success ? { ...parsed.data, read: row.read === 1 } : undefined;
  };

  return {
    /** Where the calls are kept; undefined when only in memory. */
    filePath,

    counts(): { total: number; unread: number } {
      const total = db.get('SELECT COUNT(*) AS n FROM calls') as { n: number };
      const unread = db.get('SELECT COUNT(*) AS n FROM calls WHERE read = 0') as { n: number };
      return { total: total.n, unread: unread.n };
    },

    get(id: string): CallRecord | undefined {
      const row = statements.get.get(id) as { record: string; read: number } | null;
      return row ? toRecord(row) : undefined;
    },

    /** The oldest calls, `count` of them after skipping `offset`: their ids and whether they were read. */
    oldest(offset: number, count: number): Array<{ id: string; read: boolean }> {
      const rows = statements.oldest.all([count, offset]) as Array<{ id: string; read: number }>;
      return rows.map((row) => ({ id: row.id, read: row.read === 1 }));
    },

    /** The calls stored after `seq`, `count` of them: what the history indexes, and the seq to continue from (a scan that rows deleted meanwhile cannot skip ahead of). */
    idsAfter(seq: Seq, count: number): { calls: StoredCallKeys[]; last: Seq | null } {
      const { keys, last } = statements.idsAfter.get([seq, count]) as { keys: string; last: Seq | null };
      return { calls: JSON.parse(keys) as StoredCallKeys[], last };
    },

    unreadIds(): string[] {
      return (db.all('SELECT id FROM calls WHERE read = 0 ORDER BY seq') as Array<{ id: string }>).map((row) => row.id);
    },

    /** Calls newest first, `limit` of them after skipping `offset`. */
    page(offset: number, limit: number): CallRecord[] {
      const rows = db.all('SELECT record, read FROM calls ORDER BY seq DESC LIMIT ? OFFSET ?', [limit, offset]) as Array<{
        record: string;
        read: number;
      }>;
      return rows.flatMap((row) => toRecord(row) ?? []);
    },

    /**
     * Oldest first. Read as one JSON array: the driver's cost is per row (20,000 rows were 60 ms
     * of start-up), and put in order here: an ORDER BY in the aggregate costs SQLite a sort of
     * its own, 250 ms more.
     */
    recentEventKeys(): string[] {
      const { keys } = db.get(
        'SELECT json_group_array(json_array(seq, CAST(key AS TEXT))) AS keys FROM (SELECT seq, key FROM event_keys ORDER BY seq DESC LIMIT ?)',
        eventKeysKept,
      ) as { keys: string };
      return (JSON.parse(keys) as Array<[number, string]>).sort(([a], [b]) => a - b).map(([, key]) => key);
    },

    /**
     * Applies the changes in one transaction. A record that cannot be serialised is reported and
     * left out: it never keeps the others from being saved. Throws when the disk refuses.
     */
    write(changes: CallWrite): void {
      const rows = changes.upserts.flatMap((call) => {
        try {
          return [
            [call.id, call.conversationId, call.read ? 1 : 0, JSON.stringify(call), call.from?.digits ?? null, call.startedAt] as [
              string,
              string,
              number,
              string,
              string | null,
              number,
            ],
          ];
        } catch (error) {
          log.error('a call could not be saved and is left out', { call: call.id, error: String(error) });
          return [];
        }
      });
      const { upsert } = statements;
      if (!upsert) throw new Error('the call history is open for reading only');
      db.exec('BEGIN IMMEDIATE');
      try {
        if (changes.cleared) db.exec('DELETE FROM calls');
        if (changes.allRead) db.exec('UPDATE calls SET read = 1 WHERE read = 0');
        for (const id of changes.removed) statements.remove.run(id);
        for (const row of rows) upsert.run(row);
        for (const key of changes.eventKeys) statements.addEventKey.run(key);
        if (changes.eventKeys.length > 0)
          db.run('DELETE FROM event_keys WHERE seq <= (SELECT MAX(seq) FROM event_keys) - ?', eventKeysKept);
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
      if (!open) return;
      open = false;
      // A statement that last failed fails again when finalized: that must not keep the file open (and locked).
      for (const statement of Object.values(statements)) {
        try {
          statement.finalize();
        } catch {
          // The error was reported when the statement failed.
        }
      }
      db.close();
      if (filePath) rmSync(ownerFile(filePath), { force: true });
    },
  };
}

export type CallDatabase = ReturnType<typeof openCallDatabase>;

const lockFolder = (filePath: string): string => `${filePath}.lock`;
const ownerlessLockIsStaleAfterMs = 10_000;
const ownerFile = (filePath: string): string => `${filePath}.owner`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The database is locked for as long as it is open (the driver's lock is a `<file>.lock` folder),
 * and a killed process leaves that lock behind. `<file>.owner` names the process that holds it:
 * a lock whose owner is gone is stale and removed; one whose owner still runs is refused.
 */
function claimOrRefuse(filePath: string, log: Logger): void {
  if (!existsSync(lockFolder(filePath))) return;
  const owner = existsSync(ownerFile(filePath)) ? Number(readFileSync(ownerFile(filePath), 'utf8')) : 0;
  if (owner && isRunning(owner)) {
    throw new Error(`the call history is in use by another process (pid ${owner}): stop it first`);
  }
  // A lock without an owner yet: a process that is opening the file right now, unless it is old.
  if (!owner && Date.now() - statSync(lockFolder(filePath)).mtimeMs < ownerlessLockIsStaleAfterMs) {
    throw new Error('the call history is being opened by another process: try again in a moment');
  }
  rmSync(lockFolder(filePath), { recursive: true, force: true });
  log.warn('removed the lock a stopped process left on the call history', { file: filePath });
}

/** Opens (or makes) the database; a file that is not one is kept aside and a new one made. */
function openOrKeepAside(filePath: string | undefined, log: Logger, now: () => Date): Sqlite.Database {
  try {
    return prepare(new Database(filePath), log);
  } catch (error) {
    if (!filePath || !existsSync(filePath) || !/not a database|malformed/i.test(String(error))) throw error;
    keepAside(filePath, 'move', String(error), log, now());
    return prepare(new Database(filePath), log);
  }
}

/** For reading alone (`telecmi-notifier calls`): nothing is made, moved or changed. */
function openReadOnly(filePath: string): Sqlite.Database {
  const db = new Database(filePath, { readOnly: true, fileMustExist: true });
  try {
    // A WAL database without shared memory can be read only with the lock held throughout.
    db.exec('PRAGMA busy_timeout = 2000; PRAGMA locking_mode = EXCLUSIVE;');
    db.get('SELECT COUNT(*) FROM calls');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Held exclusively while open: taking the driver's file lock for each statement costs more than
 * the statement (and exclusive locking is what lets WAL work without shared memory). WAL with
 * synchronous NORMAL: a commit is an append, never waiting for the disk; a killed process loses
 * nothing committed, and a power cut leaves the file consistent. Small, frequent checkpoints
 * (200 pages) keep each one short, since each blocks the event loop.
 */
function prepare(db: Sqlite.Database, log: Logger): Sqlite.Database {
  try {
    db.exec('PRAGMA busy_timeout = 2000; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    db.exec('PRAGMA wal_autocheckpoint = 200; PRAGMA cache_size = -32000;');
    db.exec(schema);
    upgrade(db, log);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
