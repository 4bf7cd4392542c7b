import type { Logger } from '../log/logger';
import { errorMessage } from '../log/errorMessage';
import { createReceiver, type EventSink, type Health, type MetricsEndpoint } from './createReceiver';
import { listen, type RunningServer } from './listen';
import type { ReceiverStatus } from './receiverStatus';
import { createRequestLog } from './requestLog';
import { webhookUrlFor } from './webhookUrl';

/** Where and how the receiver listens (the app's settings hold these). */
export interface ReceiverSettings {
  host: string;
  port: number;
  token: string;
}

export interface HttpTransportOptions<Outcome extends string> {
  settings: ReceiverSettings;
  /** Where accepted events go: the pipeline host, or a team server's publisher. */
  ingest: EventSink<Outcome>;
  /** What `/healthz` answers (a team server: whether the broker takes its events). */
  health?: Health;
  metrics?: MetricsEndpoint;
  log: Logger;
  onStatus?: (status: ReceiverStatus) => void;
}

export type HttpTransport = ReturnType<typeof createHttpTransport>;

/**
 * The webhook receiver as a transport: it owns its server's start and stop, and restarts in place
 * when where or how it listens changes. Its request log outlives restarts.
 */
export function createHttpTransport<Outcome extends string>({
  settings,
  ingest,
  health,
  metrics,
  log,
  onStatus,
}: HttpTransportOptions<Outcome>) {
  let current = settings;
  let running: RunningServer | undefined;
  let status: ReceiverStatus = { state: 'stopped' };
  let wanted = false;
  /** Starts and stops run one after another: two quick changes must not race for the same port. */
  let changes: Promise<unknown> = Promise.resolve();
  const requestLog = createRequestLog();

  function report(next: ReceiverStatus): ReceiverStatus {
    status = next;
    onStatus?.(status);
    return status;
  }

  async function open(): Promise<ReceiverStatus> {
    report({ state: 'starting' });
    const app = createReceiver({ token: current.token, ingest, health, metrics, requestLog, log });
    try {
      running = await listen(app, current);
    } catch (error) {
      // Reported, not logged: the app logs it, serve says it once as it exits.
      return report({ state: 'error', error: errorMessage(error) });
    }
    log.info('receiver listening', { origin: running.origin });
    return report({ state: 'listening', origin: running.origin, webhookUrl: webhookUrlFor(running.origin, current.token) });
  }

  async function close(): Promise<void> {
    await running?.close();
    running = undefined;
  }

  function queue(change: () => Promise<ReceiverStatus>): Promise<ReceiverStatus> {
    const next = changes.then(change);
    changes = next;
    return next;
  }

  return {
    requestLog,
    status: (): ReceiverStatus => status,

    /** Starts listening. A failure (port in use...) is reported in the status, not thrown. */
    start(): Promise<ReceiverStatus> {
      wanted = true;
      return queue(async () => (running ? status : open()));
    },

    /** Applies changed settings; restarts only when where or how it listens changed (or it failed). */
    apply(next: ReceiverSettings): Promise<ReceiverStatus> {
      const previous = current;
      current = next;
      const moved = next.host !== previous.host || next.port !== previous.port || next.token !== previous.token;
      if (!wanted || (!moved && status.state !== 'error')) return changes.then(() => status);
      return queue(async () => {
        await close();
        return open();
      });
    },

    /** Stops listening; `start` opens it again. */
    stop(): Promise<ReceiverStatus> {
      wanted = false;
      return queue(async () => {
        await close();
        return status.state === 'stopped' ? status : report({ state: 'stopped' });
      });
    },
  };
}
