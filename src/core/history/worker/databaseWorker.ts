/**
 * The history database's own thread: it opens the data folder's `calls.db` and runs what the
 * main thread asks, one request at a time, in the order asked. Transactions, checkpoints, the
 * move from `calls.json` and the background reading of ids run here, never on the thread that
 * answers TeleCMI.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../../log/logger';
import type { CallDatabase } from '../callDatabase';
import { openHistoryDatabase } from '../historyFolder';
import { carry, type DatabaseMethod, type LogMessage, type Reply, type Request, type WorkerStart } from './protocol';

const { syncPort, signal } = workerData as WorkerStart;
const port = parentPort;
// Loaded: the main thread waits for this only briefly, and then for the answers as long as they take.
Atomics.store(signal, 1, 1);
Atomics.notify(signal, 1);

const say =
  (level: LogMessage['log']['level']) =>
  (message: string, details?: Record<string, unknown>): void =>
    port?.postMessage({ log: { level, message, ...(details && { details }) } } satisfies LogMessage);
const log: Logger = { debug: say('debug'), info: say('info'), warn: say('warn'), error: say('error') };

let database: CallDatabase | undefined;

/** What the main thread asks for first, each once, after the opening. */
const readFirst = ['counts', 'recentEventKeys', 'keyFingerprints'] as const;
/**
 * Read while opening, which starts as soon as this thread has loaded: meanwhile the main thread
 * loads the rest of the program, then asks for these. Each is ~0.1 s at 100,000 calls, which
 * would otherwise add to start-up. Out of date once anything is written.
 */
let readAtOpening = new Map<DatabaseMethod, () => unknown>();

/** A read's answer, or its error, to give when asked. */
function settled(read: () => unknown): () => unknown {
  try {
    const value = read();
    return () => value;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

function run({ method, args }: Request): unknown {
  if (method === 'open') {
    const [folder, readFirstNow] = args as [string, boolean];
    database ??= openHistoryDatabase(folder, log);
    const opened = database;
    if (readFirstNow) readAtOpening = new Map(readFirst.map((read) => [read, settled(() => opened[read]())]));
    return database.filePath;
  }
  if (!database) throw new Error('the history database is not open');
  const readBefore = readAtOpening.get(method);
  readAtOpening.delete(method);
  if (readBefore) return readBefore();
  if (method.startsWith('write') || method === 'keepAside') readAtOpening.clear();
  // Here every call is answered in its turn: "later" is the main thread's concern.
  const now = method.replace(/Later$/, '') as keyof CallDatabase;
  return (database[now] as (...values: unknown[]) => unknown)(...args);
}

port?.on('message', (request: Request) => {
  let reply: Reply;
  try {
    reply = { id: request.id, ok: true, value: run(request) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: carry(error) };
  }
  if (!request.sync) return port.postMessage(reply);
  syncPort.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
