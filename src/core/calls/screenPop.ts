import { z } from 'zod';
import type { CallRecord } from './callRecord';

/** "Open the CRM link automatically": never, when a call rings, or when the agent answers it. */
export const screenPopSchema = z.enum(['never', 'ring', 'answer'], { error: 'must be "never", "ring" or "answer"' });
export type ScreenPop = z.infer<typeof screenPopSchema>;

export interface ScreenPopOptions {
  /** Read at each call, so a settings change applies to the next one. */
  mode: () => ScreenPop;
  /** The call's CRM link (http/https only, number URL-encoded), or undefined without a template. */
  urlFor: (call: CallRecord) => string | undefined;
  open: (url: string) => void;
}

/** Calls remembered as popped: far more than ring at once on one desktop. */
const remembered = 500;

/**
 * Opens a call's CRM record by itself, at most once per conversation (a caller that rings one
 * agent after another is one record to open). It is handed only live calls announced on their
 * own (the pipeline's `onLive`: never a late one from a catch-up, never in a burst's summary,
 * never while paused).
 */
export function createScreenPop({ mode, urlFor, open }: ScreenPopOptions) {
  const popped = new Set<string>();
  return (call: CallRecord, became: 'ringing' | 'answered'): void => {
    const wanted = mode();
    if (wanted === 'never' || popped.has(call.conversationId)) return;
    if ((wanted === 'ring') !== (became === 'ringing')) return;
    const url = urlFor(call);
    if (!url) return;
    popped.add(call.conversationId);
    if (popped.size > remembered) popped.delete(popped.values().next().value as string);
    open(url);
  };
}
