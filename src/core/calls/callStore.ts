import type { CallRecord } from './callRecord';

/** A caller's conversations earlier today, and their last call before this one. */
export interface CallerCounts {
  today: number;
  lastId?: string;
}

/**
 * What the pipeline needs of the place calls are kept: the history implements it, the pipeline
 * declares it, so the calls depend on no storage.
 */
export interface CallStore {
  get(id: string): CallRecord | undefined;
  upsert(call: CallRecord): void;
  /**
   * The calls of a conversation (one per agent leg kept), the earliest first. `complete: false`:
   * only those known without finishing the reading of a large history just opened.
   */
  inConversation(conversationId: string, options?: { complete?: boolean }): CallRecord[];
  /**
   * What a popup says of a caller (by the digits of their number): the conversations from that
   * number started since `midnight`, and the last call, both before `call` and without its own
   * conversation. Constant time however often the number called; undefined while not known yet.
   */
  callerCounts(digits: string, call: { conversationId: string; startedAt: number }, midnight: number): CallerCounts | undefined;
  /** The ids of the calls to call back from this caller (their number written with or without its country code). */
  callBacksDue(digits: string): string[];
  /** The newest calls, newest first (read without waiting for the database). */
  recent(count: number): Promise<CallRecord[]>;
  /** Event keys seen lately, oldest first, so a redelivery after a restart is still a duplicate. */
  recentEventKeys(): string[];
  rememberEventKey(key: string): void;
  /** Settled once every stored call is known (a large history is read in the background after opening). */
  allKnown(): Promise<void>;
}
