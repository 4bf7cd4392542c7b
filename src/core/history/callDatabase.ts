import { writeFileSync } from 'node:fs';
import { callRecordSchema, type CallRecord } from '../calls/callRecord';
import type { Logger } from '../log/logger';
import { fileTime, freePath } from '../storage/keptAside';
import { claimOrRefuse, claimOwnership, releaseOwnership } from './databaseLock';
import { fingerprintsOfList, type KeyFingerprints } from './keyFingerprints';
import { missingColumns, readableColumn } from './migrations';
import { prepareStatements, warmUp } from './statements';
import { bestEffort, describeDatabaseError, openOrKeepAside, openReadOnly, shrinkIfMostlyFree } from './sqliteFile';

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

/** Below every seq: calls moved from `calls.json` beside older ones may have taken some below 1. */
export const beforeEverySeq: Seq = Number.MIN_SAFE_INTEGER;

/** The call history on disk, as the history uses it: here (`openCallDatabase`), or in a worker thread (`openWorkerDatabase`). */
export interface CallDatabase {
  /** Where the calls are kept; undefined when only in memory. */
  readonly filePath: string | undefined;
  counts(): { total: number; unread: number };
  get(id: string): CallRecord | undefined;
  /** The oldest calls stored after `seq` (all: `beforeEverySeq`), `count` of them, oldest first. */
  oldestAfter(seq: Seq, count: number): Array<{ id: string; read: boolean; seq: Seq }>;
  /** The same, without waiting where the database runs in a worker. */
  oldestAfterLater(seq: Seq, count: number): Promise<Array<{ id: string; read: boolean; seq: Seq }>>;
  idsAfter(seq: Seq, count: number): { calls: StoredCallKeys[]; last: Seq | null };
  /** The calls of one conversation, found without the background reading (a scan of the keys index). */
  conversationKeys(conversationId: string): StoredCallKeys[];
  /** Every stored id and conversation as fingerprints: what tells a new call from a stored one before the reading is done. */
  keyFingerprints(): KeyFingerprints;
  /** The same, without waiting where the database runs in a worker (the background reading). */
  idsAfterLater(seq: Seq, count: number): Promise<{ calls: StoredCallKeys[]; last: Seq | null }>;
  callBacksDue(): Array<{ id: string; conversationId: string; caller: string | null }>;
  unreadIds(): string[];
  page(offset: number, limit: number): CallRecord[];
  /** The same, without waiting where the database runs in a worker. */
  pageLater(offset: number, limit: number): Promise<CallRecord[]>;
  recentEventKeys(): string[];
  /** Applies changes in one transaction, now; throws when the disk refuses. */
  write(changes: CallWrite): void;
  /** The same, without waiting where the database runs in a worker: settled once the transaction is done. */
  writeLater(changes: CallWrite): Promise<void>;
  keepAside(calls: readonly CallRecord[], reason: string): void;
  close(): void;
}

/** What only the thread that opened the file does: the one-time move of an older version's calls. */
export interface OpenedCallDatabase extends CallDatabase {
  /**
   * Saves, in one transaction, the calls `fill` hands over a batch at a time, newest first, as
   * older than every call stored; a call already stored is left as it is. Returns how many were saved.
   */
  importOlder(fill: (save: (newestFirst: readonly CallRecord[]) => void) => void): number;
}

/**
 * Imported calls count down from here, newest first, below any stored: their number is not
 * known before the end of the file, and calls saved later count up from the largest.
 */
const importedSeqTop = 2 ** 40;

/** Event keys kept to answer a redelivery after a restart with `"duplicate": true`. */
const eventKeysKept = 20_000;

/**
 * The call history on disk: SQLite (compiled to WebAssembly, so the same file and code run
 * under Node and Electron with nothing to build), one row per call, written in transactions of
 * whatever changed. Nothing is read at opening but two counts: records are read when asked for.
 */
export function openCallDatabase(
  filePath: string | undefined,
  log: Logger,
  { now = () => new Date(), readOnly = false } = {},
): OpenedCallDatabase {
  if (filePath) claimOrRefuse(filePath, log);
  const db = readOnly && filePath ? openReadOnly(filePath) : openOrKeepAside(filePath, log, now);
  if (filePath) claimOwnership(filePath);
  let open = true;
  const hasCallBackColumn = (db.all('PRAGMA table_info(calls)') as Array<{ name: string }>).some((column) => column.name === 'call_back');
  const statements = prepareStatements(db, readableColumn(readOnly ? missingColumns(db) : []), readOnly);
  if (!readOnly) bestEffort(() => warmUp(db, statements));

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
      const [row] = statements.get.all(id) as Array<{ record: string; read: number }>;
      return row ? toRecord(row) : undefined;
    },

    oldestAfter(seq: Seq, count: number): Array<{ id: string; read: boolean; seq: Seq }> {
      const rows = statements.oldestAfter.all([seq, count]) as Array<{ id: string; read: number; seq: Seq }>;
      return rows.map((row) => ({ id: row.id, read: row.read === 1, seq: row.seq }));
    },

    /**
     * The calls stored after `seq`, `count` of them: what the history indexes, and the seq to
     * continue from (a scan that rows deleted meanwhile cannot skip ahead of).
     */
    idsAfter(seq: Seq, count: number): { calls: StoredCallKeys[]; last: Seq | null } {
      const [{ keys, last }] = statements.idsAfter.all([seq, count]) as [{ keys: string; last: Seq | null }];
      return { calls: JSON.parse(keys) as StoredCallKeys[], last };
    },

    conversationKeys: (conversationId: string): StoredCallKeys[] => statements.conversationKeys.all(conversationId) as StoredCallKeys[],

    keyFingerprints(): KeyFingerprints {
      const [{ ids, conversations }] = statements.keyLists.all() as [{ ids: Uint8Array | null; conversations: Uint8Array | null }];
      return { ids: fingerprintsOfList(ids), conversations: fingerprintsOfList(conversations) };
    },

    /** The calls to call back, with their callers: few, and read through their own index. */
    callBacksDue(): Array<{ id: string; conversationId: string; caller: string | null }> {
      // A file of an earlier version read as it is (`calls`) has none.
      if (!hasCallBackColumn) return [];
      const query =
        "SELECT CAST(id AS TEXT) AS id, CAST(conversation_id AS TEXT) AS conversationId, CAST(caller AS TEXT) AS caller FROM calls WHERE call_back = 'pending'";
      return db.all(query) as Array<{ id: string; conversationId: string; caller: string | null }>;
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
    write,

    async idsAfterLater(this: CallDatabase, seq: Seq, count: number) {
      return this.idsAfter(seq, count);
    },

    async oldestAfterLater(this: CallDatabase, seq: Seq, count: number) {
      return this.oldestAfter(seq, count);
    },

    async pageLater(this: CallDatabase, offset: number, limit: number) {
      return this.page(offset, limit);
    },

    // Whatever `write` is now (a test may stand in a failing disk).
    async writeLater(this: CallDatabase, changes: CallWrite): Promise<void> {
      this.write(changes);
    },

    keepAside,
    importOlder,
    close,
  };

  /** The columns of a call, in the upsert's order; none for a call that cannot be serialised (reported). */
  function rowsOf(calls: readonly CallRecord[]): Array<Array<string | number | null>> {
    return calls.flatMap((call) => {
      try {
        const row = [call.id, call.conversationId, call.read ? 1 : 0, JSON.stringify(call), call.from?.digits ?? null, call.startedAt];
        return [[...row, call.callBack?.state ?? null]];
      } catch (error) {
        log.error('a call could not be saved and is left out', { call: call.id, error: String(error) });
        return [];
      }
    });
  }

  /** Runs `apply` in one transaction; throws, with the disk's refusal named, when it fails. */
  function inTransaction(apply: () => void): void {
    if (readOnly) throw new Error('the call history is open for reading only');
    db.exec('BEGIN IMMEDIATE');
    try {
      apply();
      db.exec('COMMIT');
    } catch (error) {
      // A commit the disk refused was rolled back by SQLite already: the refusal is the news, not that.
      try {
        db.exec('ROLLBACK');
      } catch {
        // No transaction left to roll back.
      }
      // What `apply` itself refused (not the database) goes on as it was.
      throw error instanceof Error && error.name !== 'SQLite3Error' ? error : new Error(describeDatabaseError(error, filePath));
    }
  }

  function write(changes: CallWrite): void {
    const rows = rowsOf(changes.upserts);
    inTransaction(() => {
      if (changes.cleared) db.exec('DELETE FROM calls');
      if (changes.allRead) db.exec('UPDATE calls SET read = 1 WHERE read = 0');
      for (const id of changes.removed) statements.remove.run(id);
      for (const row of rows) statements.upsert?.run(row);
      for (const key of changes.eventKeys) statements.addEventKey.run(key);
      if (changes.eventKeys.length > 0) db.run('DELETE FROM event_keys WHERE seq <= (SELECT MAX(seq) FROM event_keys) - ?', eventKeysKept);
    });
    if (changes.cleared || changes.removed.length > 0) shrinkAfterRemovals();
  }

  function importOlder(fill: (save: (newestFirst: readonly CallRecord[]) => void) => void): number {
    const insert = db.prepare(
      'INSERT INTO calls (seq, id, conversation_id, read, record, caller, started_at, call_back) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const { lowest } = db.get('SELECT MIN(seq) AS lowest FROM calls') as { lowest: number | null };
    let next = Math.min(Number(lowest ?? importedSeqTop), importedSeqTop);
    let saved = 0;
    try {
      inTransaction(() => fill((calls) => rowsOf(calls).forEach((row) => (saved += insert.run([--next, ...row]).changes))));
    } finally {
      insert.finalize();
    }
    return saved;
  }

  /** Committed already: a shrink that fails costs disk space, never the calls. */
  function shrinkAfterRemovals(): void {
    try {
      if (shrinkIfMostlyFree(db)) log.info('the history file was shrunk after calls were removed', { file: filePath });
    } catch (error) {
      log.warn('the history file could not be shrunk', { error: describeDatabaseError(error, filePath) });
    }
  }

  /** Calls about to be dropped from the history (a lowered cap), copied beside the database first. */
  function keepAside(calls: readonly CallRecord[], reason: string): void {
    if (calls.length === 0) return;
    if (!filePath) return log.warn('calls removed from the history', { count: calls.length, reason });
    const aside = freePath(`${filePath}.removed-${fileTime(now())}`, '.json');
    writeFileSync(aside, JSON.stringify(calls), { mode: 0o600 });
    log.warn('calls removed from the history; a copy was kept', { count: calls.length, reason, keptAt: aside });
  }

  function close(): void {
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
    if (filePath) releaseOwnership(filePath);
  }
}
