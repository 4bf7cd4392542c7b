import { createCallFilter, type CallFilterOptions } from '../calls/callFilter';
import type { Notifier } from '../calls/callNotification';
import { createCallPipeline, type CallPipelineOptions, type IngestOptions, type IngestOutcome } from '../calls/callPipeline';
import type { CallDatabase } from '../history/callDatabase';
import { createCallHistory } from '../history/callHistory';
import type { SaveState } from '../history/saveState';
import type { Logger } from '../log/logger';
import type { CallEvent } from '../telecmi/eventSchema';

export type HostSettings = CallFilterOptions & { maxCalls: number };

export interface CallHostOptions {
  settings: HostSettings;
  notifier: Notifier;
  /** Where the calls are kept (`openHistoryDatabase`, or in memory). */
  database: CallDatabase;
  log: Logger;
  isMuted?: () => boolean;
  burst?: CallPipelineOptions['burst'];
  namesFor?: CallPipelineOptions['namesFor'];
  agentNameOf?: CallPipelineOptions['agentNameOf'];
  onLive?: CallPipelineOptions['onLive'];
  /** Saving the history failed, or works again. */
  onSaveState?: (state: SaveState) => void;
  /** Set when `database` is in memory because the data folder could not hold the file. */
  historyNotSavedBecause?: string;
}

export type CallHost = ReturnType<typeof createCallHost>;

/**
 * The one pipeline host that the app, `serve` and `listen` run: history, pipeline, what it last
 * received, and stop. Transports (the HTTP receiver, the team subscriber) sit beside it and hand
 * it events through `ingest`; settings apply in place.
 */
export function createCallHost({
  settings,
  notifier,
  database,
  log,
  isMuted,
  burst,
  namesFor,
  agentNameOf,
  onLive,
  onSaveState,
  historyNotSavedBecause,
}: CallHostOptions) {
  let current = settings;
  let isWanted = createCallFilter(settings);
  let lastEventAt: number | null = null;
  const history = createCallHistory({ database, maxCalls: settings.maxCalls, log, onSaveState, notSavedBecause: historyNotSavedBecause });
  const pipeline = createCallPipeline({
    history,
    notifier,
    isWanted: (event) => isWanted(event),
    isMuted,
    log,
    burst,
    namesFor,
    agentNameOf,
    onLive,
  });

  return {
    history,
    pipeline,

    /** An event from any transport. */
    ingest(event: CallEvent, options?: IngestOptions): IngestOutcome {
      lastEventAt = event.receivedAt;
      return pipeline.ingest(event, options);
    },

    /** When a transport last handed over a TeleCMI event (epoch ms), or null. */
    lastEventAt: (): number | null => lastEventAt,

    /** A person says these calls were called back (the "To call back" list). */
    markCalledBack: (ids: readonly string[]): number => pipeline.markCalledBack(ids),

    /** A new filter applies to the next event; a new cap at once. */
    apply(next: HostSettings): void {
      if (next.maxCalls !== current.maxCalls) history.setMaxCalls(next.maxCalls);
      isWanted = createCallFilter(next);
      current = next;
    },

    /** Announces held calls and writes the history: true when it is all on disk. */
    stop(): { historySaved: boolean } {
      pipeline.flush();
      return { historySaved: history.close() };
    },
  };
}
