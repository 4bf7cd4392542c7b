import { createCallPipeline, type CallPipelineOptions } from '../../src/core/calls/callPipeline';
import { createCallHistory } from '../../src/core/history/callHistory';
import { silentLogger } from '../../src/core/log/logger';
import { memoryDatabase, recordingNotifier } from './fakes';

/** The call pipeline over a history in memory, every event wanted, its notifications recorded. */
export function pipelineInMemory(options: Partial<CallPipelineOptions> = {}) {
  const notifier = recordingNotifier();
  const history = createCallHistory({ database: memoryDatabase(), maxCalls: 1000, log: silentLogger });
  const pipeline = createCallPipeline({ history, notifier, isWanted: () => true, log: silentLogger, ...options });
  return { notifier, history, pipeline };
}
