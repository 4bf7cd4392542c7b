import type * as Sqlite from 'node-sqlite3-wasm';
import type { Logger } from '../log/logger';

/**
 * The calls table has no index on the conversation or the caller, and event keys none on the key:
 * each such index is a page at a random place written for every call, which is most of what a
 * write costs (and checkpoints) at 100,000 calls. The history finds those in memory instead,
 * learnt from `calls_keys` (see `keysIndex`).
 */
const tables = `
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
 * Columns the first files lacked, each with what fills it from the record (a damaged record gives
 * null: `json_extract` would fail the whole update, and the file would be taken for corrupt).
 */
const addedColumns = {
  caller: ['TEXT', "CASE WHEN json_valid(record) THEN json_extract(record, '$.from.digits') END"],
  started_at: ['INTEGER', "CASE WHEN json_valid(record) THEN json_extract(record, '$.startedAt') END"],
} as const;
export type AddedColumn = keyof typeof addedColumns;

export const missingColumns = (db: Sqlite.Database): AddedColumn[] => {
  const present = new Set((db.all('PRAGMA table_info(calls)') as Array<{ name: string }>).map((column) => column.name));
  return (Object.keys(addedColumns) as AddedColumn[]).filter((name) => !present.has(name));
};

/** A column to read: itself, or (a file of an earlier version, read only) what it would be filled with. */
export const readableColumn =
  (missing: readonly AddedColumn[]) =>
  (name: AddedColumn): string =>
    missing.includes(name) ? addedColumns[name][1] : name;

/** Indexes of earlier versions, which the history now keeps in memory. */
const droppedIndexes = ['calls_by_conversation', 'calls_by_caller'];

/**
 * What the history learns of every call at opening, in the order of the rows: reading it from
 * this index instead of the rows (which hold whole records) is about 4 times faster at 100,000
 * calls. Ordered by seq, it is written where the table is, at its ends: no random page.
 */
const keysIndex = 'CREATE INDEX calls_keys ON calls (seq, id, conversation_id, caller, started_at);';

const uniqueEventKeysDropped = [
  'CREATE TABLE event_keys_now (seq INTEGER PRIMARY KEY, key TEXT NOT NULL);',
  'INSERT INTO event_keys_now SELECT seq, key FROM event_keys;',
  'DROP TABLE event_keys;',
  'ALTER TABLE event_keys_now RENAME TO event_keys;',
].join(' ');

/**
 * Version 1 is where files of every unnumbered version (before `user_version` was kept) are
 * brought: what such a file lacks, or has and should not, worked out once from its shape.
 */
function toFirstNumberedVersion(db: Sqlite.Database): void {
  db.exec(tables);
  const indexes = new Set(
    (db.all("SELECT name FROM sqlite_master WHERE type = 'index'") as Array<{ name: string }>).map((index) => index.name),
  );
  const keysAreUnique = (db.all('PRAGMA index_list(event_keys)') as Array<{ unique: number }>).some((index) => index.unique === 1);
  for (const name of missingColumns(db)) {
    db.exec(`ALTER TABLE calls ADD COLUMN ${name} ${addedColumns[name][0]}; UPDATE calls SET ${name} = ${addedColumns[name][1]};`);
  }
  for (const name of droppedIndexes.filter((index) => indexes.has(index))) db.exec(`DROP INDEX ${name};`);
  if (keysAreUnique) db.exec(uniqueEventKeysDropped);
  if (!indexes.has('calls_keys')) db.exec(keysIndex);
}

interface Migration {
  version: number;
  what: string;
  up: (db: Sqlite.Database) => void;
}

/**
 * Calls to call back are found at opening without reading every record: a column saying so, and
 * an index of the pending ones alone (written only for the few missed by everyone).
 */
function withCallBacks(db: Sqlite.Database): void {
  const columns = (db.all('PRAGMA table_info(calls)') as Array<{ name: string }>).map((column) => column.name);
  if (!columns.includes('call_back')) db.exec('ALTER TABLE calls ADD COLUMN call_back TEXT;');
  db.exec("CREATE INDEX IF NOT EXISTS calls_call_back ON calls (seq) WHERE call_back = 'pending';");
}

/** Every schema change, in order; a file records the last it has in `PRAGMA user_version`. */
const migrations: readonly Migration[] = [
  { version: 1, what: 'calls with their caller, start and keys index; event keys without a unique index', up: toFirstNumberedVersion },
  { version: 2, what: 'the calls to call back', up: withCallBacks },
];

export const schemaVersion = migrations[migrations.length - 1]?.version ?? 0;

export const userVersion = (db: Sqlite.Database): number => (db.get('PRAGMA user_version') as { user_version: number }).user_version;

/**
 * Brings a file up to this version's schema: the steps it lacks, in order, in one transaction with
 * the new version number, so a crash midway leaves the file as it was. A file from a newer version
 * is refused rather than misread.
 */
export function migrate(db: Sqlite.Database, log: Logger): void {
  const from = userVersion(db);
  if (from > schemaVersion) {
    throw new Error(
      `the call history was written by a newer version of TeleCMI Notifier (schema ${from}; this one reads up to ${schemaVersion}): update it`,
    );
  }
  const due = migrations.filter((migration) => migration.version > from);
  if (due.length === 0) return;
  const holdsCalls = db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'") && db.get('SELECT 1 FROM calls LIMIT 1');
  // About 4 s at 100,000 calls when columns are filled, once (a new file: nothing to say).
  if (holdsCalls) log.info('updating the call history for this version (once)', { from, to: schemaVersion });
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const migration of due) migration.up(db);
    db.exec(`PRAGMA user_version = ${schemaVersion}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
