import { createCallFilter } from './calls/callFilter';
import type { Notifier } from './calls/callNotification';
import { createCallPipeline, type CallPipelineOptions } from './calls/callPipeline';
import type { CallDatabase } from './history/callDatabase';
import { createCallHistory } from './history/callHistory';
import type { SaveState } from './history/saveState';
import type { Logger } from './log/logger';
import { createReceiver } from './receiver/createReceiver';
import { listen, type RunningServer } from './receiver/listen';
import { createRequestLog } from './receiver/requestLog';
import type { ReceiverStatus } from './receiver/receiverStatus';
import { webhookUrlFor } from './receiver/webhookUrl';
import type { Settings } from './settings/settingsSchema';

export type ServiceSettings = Pick<Settings, 'host' | 'port' | 'token' | 'agents' | 'teams' | 'maxCalls'>;

export interface CallServiceOptions {
  settings: ServiceSettings;
  notifier: Notifier;
  /** Where the calls are kept (`openHistoryDatabase`, or in memory). */
  database: CallDatabase;
  log: Logger;
  isMuted?: () => boolean;
  burst?: CallPipelineOptions['burst'];
  namesFor?: CallPipelineOptions['namesFor'];
  onLive?: CallPipelineOptions['onLive'];
  onStatus?: (status: ReceiverStatus) => void;
  /** Saving the history failed, or works again. */
  onSaveState?: (state: SaveState) => void;
  /** Set when `database` is in memory because the data folder could not hold the file. */
  historyNotSavedBecause?: string;
}

export type CallService = ReturnType<typeof createCallService>;

/**
 * The receiver, the pipeline and the history wired together: what both the app and `serve` run.
 * Settings apply in place: a new port or token restarts only the receiver, history stays.
 */
export function createCallService({
  settings,
  notifier,
  database,
  log,
  isMuted,
  burst,
  namesFor,
  onLive,
  onStatus,
  onSaveState,
  historyNotSavedBecause,
}: CallServiceOptions) {
  let current = settings;
  let isWanted = createCallFilter(settings);
  let running: RunningServer | undefined;
  let status: ReceiverStatus = { state: 'stopped' };
  let lastEventAt: number | null = null;
  /** Restarts run one after another: two quick changes must not race for the same port. */
  let restarts: Promise<unknown> = Promise.resolve();
  /** False in team mode: the team's server receives the webhook, this receiver is stopped. */
  let receiving = true;

  const history = createCallHistory({ database, maxCalls: settings.maxCalls, log, onSaveState, notSavedBecause: historyNotSavedBecause });
  const requestLog = createRequestLog();
  const pipeline = createCallPipeline({ history, notifier, isWanted: (event) => isWanted(event), isMuted, log, burst, namesFor, onLive });

  function report(next: ReceiverStatus): ReceiverStatus {
    status = next;
    onStatus?.(status);
    return status;
  }

  /** An event from the receiver or, in team mode, from the team's broker. */
  function ingest(event: Parameters<typeof pipeline.ingest>[0], options?: Parameters<typeof pipeline.ingest>[1]) {
    lastEventAt = event.receivedAt;
    return pipeline.ingest(event, options);
  }

  async function startReceiver(): Promise<ReceiverStatus> {
    report({ state: 'starting' });
    const app = createReceiver({ token: current.token, ingest, requestLog, log });
    try {
      running = await listen(app, current);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error('receiver could not start', { error: message });
      return report({ state: 'error', error: message });
    }
    log.info('receiver listening', { origin: running.origin });
    return report({ state: 'listening', origin: running.origin, webhookUrl: webhookUrlFor(running.origin, current.token) });
  }

  async function stopReceiver(): Promise<void> {
    await running?.close();
    running = undefined;
  }

  return {
    history,
    requestLog,
    pipeline,
    ingest,
    status: (): ReceiverStatus => status,
    /** When the receiver last accepted a TeleCMI event (epoch ms), or null. */
    lastEventAt: (): number | null => lastEventAt,

    /** Starts listening. A failure (port in use...) is reported in the status, not thrown. */
    start: startReceiver,

    /** Applies changed settings; restarts the receiver only when where or how it listens changed. */
    apply(next: ServiceSettings): Promise<ReceiverStatus> {
      const previous = current;
      current = next;
      isWanted = createCallFilter(next);
      if (next.maxCalls !== previous.maxCalls) history.setMaxCalls(next.maxCalls);
      const moved = next.host !== previous.host || next.port !== previous.port || next.token !== previous.token;
      if (!receiving || (!moved && status.state !== 'error')) return restarts.then(() => status);
      const restart = restarts.then(async () => {
        await stopReceiver();
        return startReceiver();
      });
      restarts = restart;
      return restart;
    },

    /** Starts or stops the receiver (team mode stops it: calls come from the team's server). */
    setReceiving(on: boolean): Promise<ReceiverStatus> {
      if (on === receiving) return restarts.then(() => status);
      receiving = on;
      const change = restarts.then(async () => {
        await stopReceiver();
        return on ? startReceiver() : report({ state: 'stopped' });
      });
      restarts = change;
      return change;
    },

    /** Stops listening, announces held calls and writes the history: true when it is all on disk. */
    async stop(): Promise<{ historySaved: boolean }> {
      await stopReceiver();
      report({ state: 'stopped' });
      pipeline.flush();
      return { historySaved: history.close() };
    },
  };
}
