import type { CallNotification } from './callNotification';
import type { CallRecord } from './callRecord';

export interface BurstOptions {
  /** How many calls in one window are still announced one by one. */
  limit: number;
  windowMs: number;
  emit: (notification: CallNotification) => void;
  now?: () => number;
}

/**
 * Announces new calls at once, until more than `limit` arrive within one window of `windowMs`
 * (opened by the first call after a quiet spell): the rest of that window are held and announced
 * together in one summary when it closes.
 */
export function createBurstCoalescer({ limit, windowMs, emit, now = Date.now }: BurstOptions) {
  let windowStart = Number.NEGATIVE_INFINITY;
  let shown = 0;
  let held: CallRecord[] = [];
  let timer: NodeJS.Timeout | undefined;

  function release(): void {
    timer = undefined;
    const calls = held;
    held = [];
    if (calls.length === 1 && calls[0]) emit({ type: 'ringing', call: calls[0] });
    else if (calls.length > 1) emit({ type: 'summary', calls });
  }

  return {
    ringing(call: CallRecord): void {
      const time = now();
      if (time - windowStart >= windowMs && !timer) {
        windowStart = time;
        shown = 0;
      }
      if (shown < limit && !timer) {
        shown += 1;
        emit({ type: 'ringing', call });
        return;
      }
      held.push(call);
      timer ??= setTimeout(release, windowStart + windowMs - time);
    },

    /** Announces what is held now; call it on shutdown. */
    flush(): void {
      clearTimeout(timer);
      release();
    },
  };
}
