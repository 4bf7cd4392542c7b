import { join } from 'node:path';
import { receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger';
import type { CallDatabase, CallWrite } from '../callDatabase';
import { releaseDeadHolder } from '../databaseLock';
import { historyFileName, openHistoryDatabase } from '../historyFolder';
import { canWaitForWorkers, takeHistoryThread, WorkerUnavailable } from './historyThread';
import { carry, rebuild, type DatabaseMethod, type LogMessage, type Reply, type Request } from './protocol';

/** How long the worker may take to load (through tsx from the sources, about a second). */
const bootTimeoutMs = 15_000;

/** How long a call waits for the database: opening may move a large `calls.json` first. */
const timeoutMs = (method: Request['method']): number => (method === 'open' ? 180_000 : 15_000);

export type WorkerDatabase = CallDatabase & { readonly thread: Worker | undefined };

/**
 * The data folder's history in a worker thread, which starts opening the file at once: the
 * returned function waits for it (meanwhile this thread can load the rest of the program).
 * Reads are answered at once (this thread waits for the worker, which reads only: rare on the
 * request path, where the history answers from memory);
 * writes are queued and settled later, so transactions and checkpoints never hold up this thread.
 * A worker that dies is started again on the next call, reopening the file; writes it lost are
 * retried by the history like any failed write.
 */
export function beginOpeningWorkerDatabase(folder: string, log: Logger): () => WorkerDatabase {
  let worker: Worker | undefined;
  let syncPort: MessagePort | undefined;
  let signal: Int32Array = new Int32Array(new SharedArrayBuffer(8));
  /** The threads that opened the file (a thread that dies before may hold SQLite's lock unnamed). */
  const openedBy = new WeakSet<Worker>();
  /** The request that opens the file, while its answer has not been waited for. */
  let opening: number | undefined;
  let nextId = 1;
  let closed = false;
  const settling = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  /** Starts the worker, which opens the file as soon as it has loaded: waited for by the first call (`opened`). */
  function start(): Worker {
    const thread = takeHistoryThread();
    ({ signal, syncPort } = thread);
    const started = thread.worker;
    started.on('message', (message: Reply | LogMessage) => {
      if ('log' in message) return log[message.log.level](message.log.message, message.log.details);
      const waiter = settling.get(message.id);
      settling.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(rebuild(message.error));
    });
    started.on('error', (error) => log.error('the history database thread failed: it is started again', { error: carry(error).message }));
    started.on('exit', () => {
      const diedOpening = !openedBy.has(started);
      if (worker === started) worker = undefined;
      // Died holding the file (or while opening it): the next worker takes it over.
      if (!closed) releaseDeadHolder(filePath ?? join(folder, historyFileName), { diedOpening });
      for (const [id, waiter] of settling) {
        settling.delete(id);
        waiter.reject(new Error('the history database thread stopped before it answered'));
      }
    });
    worker = started;
    // A thread started again after one died: the history asks for nothing of what is read first.
    opening = post(started, 'open', [folder, filePath === undefined]);
    return started;
  }

  /** Waits for the file to be open, when a worker has just been started. */
  function opened(): void {
    if (!opening) return;
    const id = opening;
    opening = undefined;
    // Stopped as it loaded (its code or the driver failed): the file is opened on this thread instead.
    if (!worker && Atomics.load(signal, 1) === 0) throw new WorkerUnavailable('the history database thread stopped as it loaded');
    if (!worker) throw new Error('the history database thread stopped while it opened the file');
    if (Atomics.wait(signal, 1, 0, bootTimeoutMs) === 'timed-out') {
      void worker.terminate();
      throw new WorkerUnavailable('the history database thread did not start');
    }
    try {
      filePath = answer(worker, id, 'open') as string | undefined;
      openedBy.add(worker);
    } catch (error) {
      // A thread that could not open the file is of no use: the next call starts another.
      void worker?.terminate();
      worker = undefined;
      throw error;
    }
  }

  /** Asks and waits for the answer. */
  function call(method: Request['method'], args: unknown[]): unknown {
    if (closed) throw new Error('the call history is closed');
    const target = worker ?? start();
    opened();
    return answer(target, post(target, method, args), method);
  }

  function post(target: Worker, method: Request['method'], args: unknown[]): number {
    const id = nextId++;
    Atomics.store(signal, 0, 0);
    target.postMessage({ id, method, args, sync: true } satisfies Request);
    return id;
  }

  function answer(target: Worker, id: number, method: Request['method']): unknown {
    if (Atomics.wait(signal, 0, 0, timeoutMs(method)) === 'timed-out') {
      void target.terminate();
      throw new Error('the history database did not answer in time: it is started again');
    }
    // An answer to an earlier call that timed out may come first: it is passed over.
    for (let reply = receiveMessageOnPort(syncPort as MessagePort); reply; reply = receiveMessageOnPort(syncPort as MessagePort)) {
      const answered = reply.message as Reply;
      if (answered.id !== id) continue;
      if (answered.ok) return answered.value;
      throw rebuild(answered.error);
    }
    throw new Error('the history database answered nothing');
  }

  /** Asks without waiting: settled by the worker's message. */
  function later(method: DatabaseMethod, args: unknown[]): Promise<unknown> {
    if (closed) return Promise.reject(new Error('the call history is closed'));
    const target = worker ?? start();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      settling.set(id, { resolve, reject });
      target.postMessage({ id, method, args, sync: false } satisfies Request);
    });
  }

  let filePath: string | undefined;
  start();
  /** A method of the database, run by the worker. */
  const ask = <M extends Exclude<DatabaseMethod, `${string}Later`>>(method: M): CallDatabase[M] =>
    ((...args: unknown[]) => call(method, args)) as CallDatabase[M];

  const database = {
    /** The worker thread now (to watch it, or stop it in a test of its failures). */
    get thread(): Worker | undefined {
      return worker;
    },
    get filePath(): string | undefined {
      return filePath;
    },
    counts: ask('counts'),
    get: ask('get'),
    oldestAfter: ask('oldestAfter'),
    oldestAfterLater: (seq, count) => later('oldestAfterLater', [seq, count]) as ReturnType<CallDatabase['oldestAfterLater']>,
    idsAfter: ask('idsAfter'),
    conversationKeys: ask('conversationKeys'),
    keyFingerprints: ask('keyFingerprints'),
    callBacksDue: ask('callBacksDue'),
    unreadIds: ask('unreadIds'),
    page: ask('page'),
    recentEventKeys: ask('recentEventKeys'),
    write: ask('write'),
    writeLater: async (changes: CallWrite): Promise<void> => void (await later('writeLater', [changes])),
    idsAfterLater: (seq, count) => later('idsAfterLater', [seq, count]) as ReturnType<CallDatabase['idsAfterLater']>,
    pageLater: (offset, limit) => later('pageLater', [offset, limit]) as ReturnType<CallDatabase['pageLater']>,
    keepAside: ask('keepAside'),
    close(): void {
      if (closed || !worker) return void (closed = true);
      try {
        call('close', []);
      } finally {
        closed = true;
        void worker?.terminate();
      }
    },
  } satisfies WorkerDatabase;
  return (): WorkerDatabase => {
    try {
      opened();
      return database;
    } catch (error) {
      closed = true;
      void worker?.terminate();
      throw error;
    }
  };
}

export const openWorkerDatabase = (folder: string, log: Logger): WorkerDatabase => beginOpeningWorkerDatabase(folder, log)();

/**
 * A data folder's history, off this thread where it can be (see `beginOpeningWorkerDatabase`),
 * else here: the same file and the same answers either way. Opening starts now; the returned
 * function waits for it.
 */
export function beginOpeningFolderHistory(folder: string, log: Logger): FolderHistoryOpening {
  let finish: (() => CallDatabase) | undefined;
  let failed: unknown;
  if (canWaitForWorkers()) {
    try {
      finish = beginOpeningWorkerDatabase(folder, log);
    } catch (error) {
      failed = error;
    }
  }
  return {
    opened(): CallDatabase {
      try {
        if (failed) throw failed;
        if (finish) return finish();
      } catch (error) {
        if (!(error instanceof WorkerUnavailable)) throw error;
        log.warn('the history runs on the main thread: its worker could not start', { reason: error.message });
      }
      return openHistoryDatabase(folder, log);
    },
    abandon(): void {
      // On this thread nothing was opened yet; in the worker, the file is closed once it is open.
      try {
        finish?.().close();
      } catch {
        // It could not be opened: nothing to close.
      }
    },
  };
}

/** A history being opened: `opened` waits for it; `abandon` closes it unused (its lock must not outlive the run). */
export interface FolderHistoryOpening {
  opened(): CallDatabase;
  abandon(): void;
}

export const openFolderHistory = (folder: string, log: Logger): CallDatabase => beginOpeningFolderHistory(folder, log).opened();
