import type * as Sqlite from 'node-sqlite3-wasm';
import type { AddedColumn } from './migrations';
import { bestEffort } from './sqliteFile';

/**
 * The call history's statements, prepared once: preparing a statement costs more than running it.
 * Each is read to its end (`all`, never the driver's `get`, which stops at the first row): a
 * statement left on a row holds a read transaction, and the write-ahead log can then never be
 * checkpointed. `column` names a column, or what fills it in a file of an earlier version read as is.
 */
export function prepareStatements(db: Sqlite.Database, column: (name: AddedColumn) => string, readOnly: boolean) {
  return {
    remove: db.prepare('DELETE FROM calls WHERE id = ?'),
    addEventKey: db.prepare('INSERT INTO event_keys (key) VALUES (?)'),
    get: db.prepare('SELECT record, read FROM calls WHERE id = ?'),
    oldestAfter: db.prepare('SELECT id, read, seq FROM calls WHERE seq > ? ORDER BY seq LIMIT ?'),
    // One JSON row per chunk: the driver's cost is per row, and it was most of the reading. The
    // casts keep a damaged row (a blob, which JSON cannot hold) from failing its whole chunk; the
    // last seq comes beside the JSON, which would round one beyond 2^53.
    idsAfter: db.prepare(
      [
        "SELECT json_group_array(json_object('id', CAST(id AS TEXT), 'conversationId', CAST(conversation_id AS TEXT),",
        "  'caller', CAST(caller AS TEXT), 'startedAt', CAST(started_at AS INTEGER))) AS keys, MAX(seq) AS last",
        `FROM (SELECT seq, id, conversation_id, ${column('caller')} AS caller, ${column('started_at')} AS started_at`,
        '  FROM calls WHERE seq > ? ORDER BY seq LIMIT ?)',
      ].join(' '),
    ),
    // One row of two lists of `<byte length>:<bytes>` (see `fingerprintsOfList`), read from the keys index
    // as blobs: the driver copies a blob's bytes, where it decodes a text a byte at a time.
    keyLists: db.prepare(
      [
        "SELECT CAST(group_concat(length(CAST(id AS BLOB)) || ':' || CAST(id AS TEXT), '') AS BLOB) AS ids,",
        "  CAST(group_concat(length(CAST(conversation_id AS BLOB)) || ':' || CAST(conversation_id AS TEXT), '') AS BLOB) AS conversations",
        'FROM calls',
      ].join(' '),
    ),
    conversationKeys: db.prepare(
      [
        'SELECT CAST(id AS TEXT) AS id, CAST(conversation_id AS TEXT) AS conversationId, CAST(caller AS TEXT) AS caller,',
        `  CAST(started_at AS INTEGER) AS startedAt FROM (SELECT id, conversation_id, ${column('caller')} AS caller,`,
        `  ${column('started_at')} AS started_at FROM calls WHERE conversation_id = ?)`,
      ].join(' '),
    ),
    ...(!readOnly && {
      upsert: db.prepare(
        [
          'INSERT INTO calls (id, conversation_id, read, record, caller, started_at, call_back) VALUES (?, ?, ?, ?, ?, ?, ?)',
          'ON CONFLICT (id) DO UPDATE SET read = excluded.read, record = excluded.record,',
          '  caller = excluded.caller, started_at = excluded.started_at, call_back = excluded.call_back',
        ].join(' '),
      ),
    }),
  };
}

export type CallStatements = ReturnType<typeof prepareStatements>;

/**
 * A write and a read run once and rolled back, at opening: the first of each after a start read
 * the pages they touch and compile SQLite's code (~50 ms), which a request waiting on them would pay.
 */
export function warmUp(db: Sqlite.Database, statements: CallStatements): void {
  const id = '\u0000warm-up';
  db.exec('BEGIN IMMEDIATE');
  try {
    statements.upsert?.run([id, id, 0, '{}', null, 0, null]);
    statements.get.all(id);
    statements.remove.run(id);
  } finally {
    db.exec('ROLLBACK');
  }
  // The log restarts (its header written and synced, ~50 ms on a slow disk) at the first commit after a checkpoint: now.
  const { user_version: version } = db.get('PRAGMA user_version') as { user_version: number };
  bestEffort(() => db.exec(`PRAGMA user_version = ${version}`));
}
