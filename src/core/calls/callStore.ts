import type { CallRecord } from './callRecord';

/**
 * What the pipeline needs of the place calls are kept: the history implements it, the pipeline
 * declares it, so the calls depend on no storage.
 */
export interface CallStore {
  get(id: string): CallRecord | undefined;
  upsert(call: CallRecord): void;
  /** The calls of a conversation (one per agent leg kept), the earliest first. */
  inConversation(conversationId: string): CallRecord[];
  /** A caller's calls (by the digits of their number): id -> start time; undefined while not known yet. */
  callerCalls(digits: string): ReadonlyMap<string, number> | undefined;
  /** Event keys seen lately, oldest first, so a redelivery after a restart is still a duplicate. */
  recentEventKeys(): string[];
  rememberEventKey(key: string): void;
}
