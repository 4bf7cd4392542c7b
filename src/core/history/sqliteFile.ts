import { existsSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Sqlite from 'node-sqlite3-wasm';
import { errorMessage } from '../log/errorMessage';
import type { Logger } from '../log/logger';
import { keepAside } from '../storage/keptAside';
import { migrate } from './migrations';

/**
 * The driver, loaded at the first opening: loading it starts its WebAssembly instance (17 MB),
 * which a thread whose history runs in a worker never needs. (A CommonJS module whose types
 * declare named exports it only has on its default export.)
 */
let driver: typeof Sqlite | undefined;
const sqlite = (): typeof Sqlite => (driver ??= createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite);

const diskFull = 'the disk is full: free some space where the history is kept';

/**
 * SQLite's words for what a person can act on: a full disk, a file another program holds. The
 * driver's file layer reports a write the disk refused for want of space as "disk I/O error":
 * where the file's disk has (almost) nothing left, that is what it was.
 */
export function describeDatabaseError(error: unknown, filePath?: string): string {
  const message = errorMessage(error);
  if (/database or disk is full|SQLITE_FULL|ENOSPC/i.test(message)) return diskFull;
  if (/disk I\/O error/i.test(message) && filePath && hasNoRoomLeft(filePath)) return diskFull;
  if (/database is locked|SQLITE_BUSY/i.test(message)) return 'the history file is locked by another program';
  if (/readonly database|EROFS|EACCES|EPERM/i.test(message)) return 'the history file cannot be written (read-only or not allowed)';
  return message;
}

/** Less than a megabyte free where the file is (a few pages of the history). */
function hasNoRoomLeft(filePath: string): boolean {
  try {
    const { bavail, bsize } = statfsSync(dirname(filePath));
    return bavail * bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

/** Opens (or makes) the database; a file that is not one is kept aside and a new one made. */
export function openOrKeepAside(filePath: string | undefined, log: Logger, now: () => Date): Sqlite.Database {
  try {
    return prepare(new (sqlite().Database)(filePath), log);
  } catch (error) {
    if (!filePath || !existsSync(filePath) || !/not a database|malformed/i.test(String(error))) throw error;
    keepAside(filePath, 'move', String(error), log, now());
    return prepare(new (sqlite().Database)(filePath), log);
  }
}

/** Pages free after removals before the file is shrunk: a quarter of it, and at least 1 MB. */
const shrinkWhenFree = { share: 0.25, pages: 256 };

/**
 * Gives back to the disk what removed calls left free (a lowered cap, a cleared history): at the
 * cap each new call reuses the page the oldest left, so this only acts after a mass removal. A
 * file from before incremental vacuum is rewritten once (VACUUM) to become one.
 */
export function shrinkIfMostlyFree(db: Sqlite.Database): boolean {
  const free = pragma(db, 'freelist_count');
  if (free < shrinkWhenFree.pages || free < pragma(db, 'page_count') * shrinkWhenFree.share) return false;
  const incremental = 2;
  if (pragma(db, 'auto_vacuum') === incremental) db.exec('PRAGMA incremental_vacuum;');
  else db.exec('PRAGMA auto_vacuum = INCREMENTAL; VACUUM;');
  db.exec('PRAGMA wal_checkpoint(TRUNCATE);');
  return true;
}

const pragma = (db: Sqlite.Database, name: string): number => Number(Object.values(db.get(`PRAGMA ${name}`) as object)[0]);

/** For reading alone (`telecmi-notifier calls`): nothing is made, moved or changed. */
export function openReadOnly(filePath: string): Sqlite.Database {
  const db = new (sqlite().Database)(filePath, { readOnly: true, fileMustExist: true });
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
    // The log shrinks back to 4 MB at a checkpoint after a large transaction (a migration, a shrink).
    db.exec('PRAGMA wal_autocheckpoint = 200; PRAGMA journal_size_limit = 4194304; PRAGMA cache_size = -8000;');
    // Only a new file takes it here (before its first table); an older one on its first shrink.
    db.exec('PRAGMA auto_vacuum = INCREMENTAL;');
    migrate(db, log);
    // What the last run left in the log goes into the file now, not at the first commit, when a request may wait on it.
    bestEffort(() => db.exec('PRAGMA wal_checkpoint(TRUNCATE);'));
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Work done ahead of need at opening: a disk that refuses it (full, read-only) is told at the first
 * write that needs it, where it is logged and retried, not by a history that will not open.
 */
export function bestEffort(work: () => void): void {
  try {
    work();
  } catch {
    // Told at the next write.
  }
}
