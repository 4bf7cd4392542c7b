import { closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../../log/logger';
import { writeFileAtomic } from '../../storage/atomicFile';
import { teamEventMessageSchema } from '../teamMessages';

export const spooledPublishSchema = z.object({ topic: z.string(), expirySec: z.number(), message: teamEventMessageSchema });
export type SpooledPublish = z.infer<typeof spooledPublishSchema>;

/** The acknowledged part is cut from the file once it is this many entries and half of it: rewriting costs the same per entry. */
const compactAfter = 1000;

/**
 * Publishes the broker has not acknowledged, on disk in arrival order (one JSON line each, synced
 * before TeleCMI is answered), so a broker that is down or a receiver killed loses nothing it
 * acknowledged. Draining costs the same per entry at any length: the acknowledged count is kept
 * beside the file (`.done`), and the file is rewritten only once half of it is acknowledged. A
 * crash may publish again what was acknowledged just before: desktops drop it by its id.
 */
export function openSpool(filePath: string, log: Logger, { maxEntries = 100_000 } = {}) {
  const doneFile = `${filePath}.done`;
  const refusedFile = `${filePath}.refused`;
  let entries: SpooledPublish[] = existsSync(filePath) ? readEntries(filePath, log).slice(readDone(doneFile)) : [];
  /** Entries before this one are acknowledged. */
  let head = 0;
  if (entries.length > 0) log.info('publishing the calls spooled while the broker was unreachable', { count: entries.length });
  // A line a crash cut short would swallow the next one appended: the file is written anew from what was read.
  if (existsSync(filePath)) compact();

  function compact(): void {
    entries = entries.slice(head);
    head = 0;
    writeFileAtomic(filePath, entries.map((publish) => `${JSON.stringify(publish)}\n`).join(''));
    rmSync(doneFile, { force: true });
  }

  function appendLines(file: string, publishes: readonly SpooledPublish[]): void {
    const fd = openSync(file, 'a', 0o600);
    try {
      writeSync(fd, publishes.map((publish) => `${JSON.stringify(publish)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Forgets the oldest `count` publishes, once the broker acknowledged them. */
  function drop(count: number): void {
    head = Math.min(entries.length, head + count);
    if (head >= compactAfter && head * 2 >= entries.length) compact();
    else writeFileAtomic(doneFile, String(head));
  }

  return {
    size: (): number => entries.length - head,
    /** The oldest `count` publishes. */
    peek: (count: number): SpooledPublish[] => entries.slice(head, head + count),

    /** Adds publishes to the end, durably; false (nothing written) when the spool is full. */
    append(publishes: readonly SpooledPublish[]): boolean {
      if (entries.length - head + publishes.length > maxEntries) return false;
      appendLines(filePath, publishes);
      entries.push(...publishes);
      return true;
    },

    drop,

    /** Sets the oldest publish aside (the broker refused it for good): kept beside the spool, never retried. */
    setAside(reason: string): void {
      const [refused] = entries.slice(head, head + 1);
      if (!refused) return;
      appendLines(refusedFile, [refused]);
      log.error('a spooled event cannot be published: it is set aside, and the rest go on', {
        topic: refused.topic,
        reason,
        keptIn: refusedFile,
      });
      drop(1);
    },
  };
}

export type Spool = ReturnType<typeof openSpool>;

/** How many lines of the file were acknowledged before a restart. */
function readDone(file: string): number {
  try {
    const count = Number(readFileSync(file, 'utf8'));
    return Number.isSafeInteger(count) && count > 0 ? count : 0;
  } catch {
    return 0;
  }
}

/** A line cut short by a crash is the only damage expected: it is skipped and reported. */
function readEntries(filePath: string, log: Logger): SpooledPublish[] {
  const lines = readFileSync(filePath, 'utf8').split('\n').filter(Boolean);
  const entries = lines.flatMap((line) => {
    try {
      const parsed = spooledPublishSchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
  if (entries.length < lines.length)
    log.warn('spooled lines that could not be read were skipped', { file: filePath, skipped: lines.length - entries.length });
  return entries;
}
