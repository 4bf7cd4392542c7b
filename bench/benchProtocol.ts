/** What the receiver benchmark and the servers it forks agree on. */
export const benchToken = 'bench-token-0123456789abcdefghijk';

/** The pipeline runs with this many contacts loaded, and half the callers are among them. */
export const contactCount = 100_000;
export const contactNumber = (index: number): string => `9197${String(index * 997).padStart(8, '0')}`;
export type ServerKind = 'bare-http' | 'minimal-express' | 'receiver' | 'pipeline';

export interface PipelineStats {
  notifyLatenciesMs: number[];
  rssBytes: number;
  heapUsedBytes: number;
}
