import { z } from 'zod';

export const requestLogEntrySchema = z.object({
  /** Epoch milliseconds when the request arrived. */
  time: z.number(),
  method: z.string(),
  /** The path and query with the webhook token masked. */
  path: z.string(),
  status: z.number(),
  /** Why a request was refused, or what became of an accepted event. */
  reason: z.string().optional(),
  durationMs: z.number(),
});
export type RequestLogEntry = z.infer<typeof requestLogEntrySchema>;

export type RequestLog = ReturnType<typeof createRequestLog>;

/** The last requests the receiver answered, for the window's "webhook log". */
export function createRequestLog(capacity = 200) {
  const entries: RequestLogEntry[] = [];
  const listeners = new Set<(entry: RequestLogEntry) => void>();
  return {
    record(entry: RequestLogEntry): void {
      entries.push(entry);
      if (entries.length > capacity) entries.shift();
      for (const listener of listeners) listener(entry);
    },
    /** Newest first. */
    entries: (): RequestLogEntry[] => entries.toReversed(),
    onEntry(listener: (entry: RequestLogEntry) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Hides the token wherever it can travel: the path segment and the query parameter. */
export function maskToken(url: string): string {
  return url.replace(/^\/telecmi\/[^/?#]+/, '/telecmi/***').replace(/([?&]token=)[^&#]*/g, '$1***');
}
