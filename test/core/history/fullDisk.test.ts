import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newCallRecord } from '../../../src/core/calls/callLifecycle';
import { beforeEverySeq, openCallDatabase } from '../../../src/core/history/callDatabase';
import { createCallHistory } from '../../../src/core/history/callHistory';
import { openWorkerDatabase } from '../../../src/core/history/worker/workerDatabase';
import { silentLogger } from '../../../src/core/log/logger';
import { agentCall } from '../../support/events';
import { recordingLogger } from '../../support/fakes';

/** Mounts a small file system of its own, to fill up and free again (root can, where the kernel lets it). */
function mountSmallDisk(folder: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', folder], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const unmount = (folder: string): void => void execFileSync('umount', ['--lazy', folder], { stdio: 'ignore' });

/** Whether this run may mount one: tried once, and unmounted at once. */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'telecmi-mount-probe-'));
  const mounted = mountSmallDisk(probe);
  if (mounted) unmount(probe);
  rmSync(probe, { recursive: true, force: true });
  return mounted;
}

const call = (id: string) => newCallRecord(agentCall(id).started);

/** Takes every byte the file system has left, as a full disk does. */
function fill(folder: string): string {
  const filler = join(folder, 'filler');
  const { bavail, bsize } = statfsSync(folder);
  try {
    writeFileSync(filler, Buffer.alloc(bavail * bsize));
  } catch {
    // Full before the last byte: as full as it gets.
  }
  return filler;
}

// Where no disk can be mounted (not root, or a container that forbids it), the message mapping is
// covered by diskBounds.test.ts; .ci/run runs as root.
describe.runIf(canMount())('the history in its thread on a disk that fills up and is freed', () => {
  let folder = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'telecmi-small-disk-'));
    if (!mountSmallDisk(folder)) throw new Error(`could not mount a small disk on ${folder}`);
  });
  afterAll(() => {
    try {
      unmount(folder);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('keeps every call acknowledged while the disk was full, names the cause, and saves them once there is room', async () => {
    const log = recordingLogger();
    const database = openWorkerDatabase(folder, log);
    const history = createCallHistory({ database, maxCalls: 1000, log, flushDelayMs: 5 });
    history.upsert(call('before'));
    expect(history.flush()).toBe(true);

    const filler = fill(folder);
    for (let index = 0; index < 50; index += 1) history.upsert(call(`while-full-${index}`));
    await vi.waitFor(() => expect(history.saveState()).toMatchObject({ saved: false }), { timeout: 5000 });
    expect(log.lines.some((line) => /disk is full/.test(String(line.details?.error)))).toBe(true);

    rmSync(filler);
    await vi.waitFor(() => expect(history.saveState()).toEqual({ saved: true }), { timeout: 15_000 });
    expect(history.close()).toBe(true);

    const reopened = openCallDatabase(join(folder, 'calls.db'), silentLogger);
    const ids = reopened.oldestAfter(beforeEverySeq, 100).map((stored) => stored.id);
    reopened.close();
    expect(ids).toEqual(['leg-b-before', ...Array.from({ length: 50 }, (_, index) => `leg-b-while-full-${index}`)]);
  }, 30_000);
});
