import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../../log/logger';
import { writeFileAtomic } from '../../storage/atomicFile';
import { teamEventMessageSchema } from '../teamMessages';

export const spooledPublishSchema = z.object({ topic: z.string(), expirySec: z.number(), message: teamEventMessageSchema });
export type SpooledPublish = z.infer<typeof spooledPublishSchema>;

/**
 * Publishes the broker has not acknowledged, on disk in arrival order (one JSON line each,
 * synced before TeleCMI is answered), so a broker that is down or a receiver killed loses
 * nothing it acknowledged. Held in memory too: it is read once, at start.
 */
export function openSpool(filePath: string, log: Logger, { maxEntries = 100_000 } = {}) {
  const entries: SpooledPublish[] = existsSync(filePath) ? readEntries(filePath, log) : [];
  if (entries.length > 0) log.info('publishing the calls spooled while the broker was unreachable', { count: entries.length });
  // A line a crash cut short would swallow the next one appended: the file is written anew from what was read.
  if (existsSync(filePath)) rewrite();

  function rewrite(): void {
    writeFileAtomic(filePath, entries.map((publish) => `${JSON.stringify(publish)}\n`).join(''));
  }

  return {
    size: (): number => entries.length,
    /** The oldest `count` publishes. */
    peek: (count: number): SpooledPublish[] => entries.slice(0, count),

    /** Adds publishes to the end, durably; false (nothing written) when the spool is full. */
    append(publishes: readonly SpooledPublish[]): boolean {
      if (entries.length + publishes.length > maxEntries) return false;
      const fd = openSync(filePath, 'a', 0o600);
      try {
        writeSync(fd, publishes.map((publish) => `${JSON.stringify(publish)}\n`).join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      entries.push(...publishes);
      return true;
    },

    /** Forgets the oldest `count` publishes, once the broker acknowledged them. */
    drop(count: number): void {
      entries.splice(0, count);
      rewrite();
    },
  };
}

export type Spool = ReturnType<typeof openSpool>;

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
