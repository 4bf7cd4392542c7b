/**
 * Starting the history's worker thread. Kept apart from the database code, so an entry point can
 * start one before it loads anything else (`warmHistoryThread`).
 */
import { existsSync } from 'node:fs';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { WorkerStart } from './protocol';

/** Where the worker's file is, in a built app or CLI: set by the entry point, which sits beside it. */
let builtWorker: URL | undefined;
export function useHistoryWorker(url: URL): void {
  builtWorker = url;
}

/** Run from the sources (tests, `npm run dev`): the TypeScript file, through tsx. */
const fromSources = import.meta.url.endsWith('.ts');

/** The worker could not be started here: the database is opened on this thread instead. */
export class WorkerUnavailable extends Error {}

/** Whether this thread may wait for another (Atomics.wait): not in every embedder's main thread. */
export function canWaitForWorkers(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** A history thread, loaded or loading, and where this thread waits for its answers. */
export interface HistoryThread {
  worker: Worker;
  syncPort: MessagePort;
  /** [0]: an answer is waiting on the sync port; [1]: the worker has loaded. */
  signal: Int32Array;
  /** It failed or stopped before the database took it over. */
  ended: boolean;
}

let warm: HistoryThread | undefined;

/**
 * Starts the history's thread now, for a command about to open a history: it loads (the SQLite
 * driver, the schemas: ~0.3 s) while this thread loads the command, instead of after it.
 */
export function warmHistoryThread(): void {
  if (!canWaitForWorkers()) return;
  try {
    warm ??= startThread();
  } catch {
    // Started again when the history opens, which says why it cannot be.
  }
}

/** A command that keeps no history after all (a team server): its warm thread is stopped. */
export function stopWarmHistoryThread(): void {
  void warm?.worker.terminate();
  warm = undefined;
}

/** The warm thread, else (none, or it ended) a new one. */
export function takeHistoryThread(): HistoryThread {
  const thread = warm && !warm.ended ? warm : startThread();
  warm = undefined;
  return thread;
}

function startThread(): HistoryThread {
  const channel = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const worker = newWorker({ syncPort: channel.port2, signal });
  worker.unref();
  const thread = { worker, syncPort: channel.port1, signal, ended: false };
  // Until the database takes it over with listeners of its own, a failure is only noted (an
  // unheard 'error' would end the process): the database then starts another.
  const ended = (): void => void (thread.ended = true);
  worker.once('error', ended).once('exit', ended);
  return thread;
}

function newWorker(start: WorkerStart): Worker {
  // Its objects live for one request: a small young generation is enough (the default took ~30 MB).
  const options = { workerData: start, transferList: [start.syncPort], resourceLimits: { maxYoungGenerationSizeMb: 4 } };
  if (builtWorker && existsSync(builtWorker)) return new Worker(builtWorker, options);
  if (!fromSources) throw new WorkerUnavailable('the history worker was not located (useHistoryWorker)');
  const source = new URL('./databaseWorker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
