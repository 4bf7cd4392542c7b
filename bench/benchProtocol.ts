/** What the receiver benchmark and the servers it forks agree on. */
export const benchToken = 'bench-token-0123456789abcdefghijk';
export type ServerKind = 'bare-http' | 'minimal-express' | 'pipeline';

export interface PipelineStats {
  notifyLatenciesMs: number[];
  rssBytes: number;
  heapUsedBytes: number;
}
