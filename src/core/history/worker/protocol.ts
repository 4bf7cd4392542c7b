import type { CallDatabase } from '../callDatabase';
import type { MessagePort } from 'node:worker_threads';
import type { LogDetails } from '../../log/logger';

/** The database's methods a worker runs. */
export type DatabaseMethod = Exclude<keyof CallDatabase, 'filePath'>;

/**
 * What the main thread asks: answered on the sync port (it waits) or as a message (it does not).
 * `open` names the data folder whose `calls.db` the worker opens (with the move from `calls.json`),
 * and whether to read at once what the history asks for first (not for a thread started again).
 */
export interface Request {
  id: number;
  method: DatabaseMethod | 'open';
  args: unknown[];
  sync: boolean;
}

/** An error, as it crosses threads: its message and its code (what callers act on). */
export interface CarriedError {
  message: string;
  code?: string;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: CarriedError };

/** A line the worker logs, written by the main thread's logger. */
export interface LogMessage {
  log: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; details?: LogDetails };
}

export interface WorkerStart {
  /** Where the worker answers what the main thread waits for, and the flag it raises then. */
  syncPort: MessagePort;
  signal: Int32Array;
}

export const carry = (error: unknown): CarriedError => ({
  message: error instanceof Error ? error.message : String(error),
  ...(typeof (error as { code?: unknown })?.code === 'string' && { code: (error as { code: string }).code }),
});

export const rebuild = ({ message, code }: CarriedError): Error => Object.assign(new Error(message), code && { code });
