import { createCallFilter } from './calls/callFilter';
import type { Notifier } from './calls/callNotification';
import { createCallPipeline, type CallPipelineOptions } from './calls/callPipeline';
import { createCallHistory, type HistoryStore } from './history/callHistory';
import type { Logger } from './log/logger';
import { createReceiver } from './receiver/createReceiver';
import { listen, type RunningServer } from './receiver/listen';
import { createRequestLog } from './receiver/requestLog';
import type { Settings } from './settings/settingsSchema';

export type ServiceSettings = Pick<Settings, 'host' | 'port' | 'token' | 'agents' | 'teams' | 'maxCalls'>;

export interface CallServiceOptions {
  settings: ServiceSettings;
  notifier: Notifier;
  historyStore: HistoryStore;
  log: Logger;
  isMuted?: () => boolean;
  burst?: CallPipelineOptions['burst'];
}

export type CallService = ReturnType<typeof createCallService>;

/** The receiver, the pipeline and the history wired together: what both the app and `serve` run. */
export function createCallService({ settings, notifier, historyStore, log, isMuted, burst }: CallServiceOptions) {
  const history = createCallHistory({ store: historyStore, maxCalls: settings.maxCalls, log });
  const requestLog = createRequestLog();
  const pipeline = createCallPipeline({
    history,
    notifier,
    isWanted: createCallFilter(settings),
    isMuted,
    log,
    burst,
  });
  const app = createReceiver({ token: settings.token, ingest: pipeline.ingest, requestLog, log });
  let running: RunningServer | undefined;

  return {
    history,
    requestLog,
    pipeline,

    /** Starts listening; rejects with a `ListenError` that says what to do (port in use...). */
    async start(): Promise<{ origin: string; webhookUrl: string }> {
      running = await listen(app, settings);
      const webhookUrl = `${running.origin}/telecmi/${settings.token}`;
      log.info('receiver listening', { origin: running.origin });
      return { origin: running.origin, webhookUrl };
    },

    /** Stops listening, announces held calls and writes the history. */
    async stop(): Promise<void> {
      await running?.close();
      running = undefined;
      pipeline.flush();
      history.close();
    },
  };
}
