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

/**
 * Hides the token wherever it appears in a request target, however it was shaped or encoded
 * (`//telecmi/T`, `/./telecmi/T`, `http://host/telecmi/T`, `?token%00=T`, percent-escapes): by
 * its value, and by the places a token is sent (which also hides wrong guesses).
 */
export function createTokenMasker(token: string): (target: string) => string {
  const value = new RegExp(token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return (target) => maskToken(decodeEscapes(target)).replace(value, '***');
}

/** Decodes each run of valid percent-escapes, leaving malformed ones as they are. */
function decodeEscapes(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Hides the token wherever Express would find it: the path segment after `/telecmi/` (routing
 * ignores case) and any query parameter whose decoded name is `token`.
 */
export function maskToken(url: string): string {
  const queryStart = url.indexOf('?');
  const path = (queryStart === -1 ? url : url.slice(0, queryStart)).replace(/^(\/telecmi\/)[^/]+/i, '$1***');
  if (queryStart === -1) return path;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => (isTokenName(pair.split('=')[0] ?? '') ? `${pair.split('=')[0]}=***` : pair))
    .join('&');
  return `${path}?${query}`;
}

function isTokenName(encodedName: string): boolean {
  try {
    return decodeURIComponent(encodedName.replaceAll('+', ' ')).trim().toLowerCase() === 'token';
  } catch {
    return encodedName.toLowerCase().includes('token');
  }
}
