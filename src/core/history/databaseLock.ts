import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Logger } from '../log/logger';
import { isRunning } from '../storage/processAlive';

const lockFolder = (filePath: string): string => `${filePath}.lock`;
const ownerlessLockIsStaleAfterMs = 10_000;
const ownerFile = (filePath: string): string => `${filePath}.owner`;

/**
 * The database is locked for as long as it is open (the driver's lock is a `<file>.lock` folder),
 * and a killed process leaves that lock behind. `<file>.owner` names the process that holds it:
 * a lock whose owner is gone is stale and removed; one whose owner still runs is refused.
 */
export function claimOrRefuse(filePath: string, log: Logger): void {
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

/** Whoever holds the lock says so, readers included: another opener must never take it over. */
export function claimOwnership(filePath: string): void {
  writeFileSync(ownerFile(filePath), String(process.pid), { mode: 0o600 });
}

export function releaseOwnership(filePath: string): void {
  rmSync(ownerFile(filePath), { force: true });
}

/**
 * The lock of a holder known to be gone (a worker thread of this process that died): removed,
 * when this process holds it (the thread may have died before it took it, held by another). One
 * that died while opening may have taken SQLite's lock without naming its owner yet.
 */
export function releaseDeadHolder(filePath: string, { diedOpening = false } = {}): void {
  const owner = existsSync(ownerFile(filePath)) ? Number(readFileSync(ownerFile(filePath), 'utf8')) : 0;
  if (owner !== process.pid && !(owner === 0 && diedOpening)) return;
  rmSync(lockFolder(filePath), { recursive: true, force: true });
  releaseOwnership(filePath);
}
