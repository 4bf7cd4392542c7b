import { isPaused } from '../core/app/pause';
import { newCallRecord } from '../core/calls/callLifecycle';
import type { Notifier } from '../core/calls/callNotification';
import type { ReceiverStatus } from '../core/receiver/receiverStatus';
import type { SettingsStore } from '../core/settings/settingsStore';
import { parseTelecmiEvent } from '../core/telecmi/parseEvent';
import { agentLegPayload, sampleCall } from '../core/telecmi/sampleEvents';
import { sendEvent } from '../core/telecmi/sendEvent';

type Outcome = { ok: boolean; message: string };

export interface TestCallOptions {
  settings: SettingsStore;
  receiver: () => ReceiverStatus;
  notifier: Notifier;
  now: () => number;
}

/**
 * "Send test call": a real ringing event posted to this computer's own webhook, so the agent sees
 * the whole path work. In team mode the webhook is the team server's: the test is a notification
 * from here, and says so.
 */
export function testCallSender({ settings, receiver, notifier, now }: TestCallOptions): () => Promise<Outcome> {
  async function throughTheReceiver(): Promise<Outcome> {
    const { webhookUrl } = receiver();
    if (!webhookUrl) return { ok: false, message: 'The receiver is not listening.' };
    const { agents, teams, pausedUntil } = settings.get();
    const call = sampleCall({ user: agents[0] ?? '204_2222223', team: teams[0] ?? 'Sales_2222223', custom: { source: 'test call' } });
    const { ok, answer } = await sendEvent(webhookUrl, 'POST', agentLegPayload(call, 'started', now()));
    if (!ok) return { ok, message: `The receiver refused the test call: ${answer}` };
    const paused = isPaused(pausedUntil, now());
    return { ok, message: paused ? 'Test call received (notifications are paused).' : 'Test call sent: a notification should appear.' };
  }

  function shownHere(): Outcome {
    const call = sampleCall({
      user: settings.get().teamIdentity?.agent ?? '204_2222223',
      custom: { source: 'local test: not through the team server' },
    });
    const parsed = parseTelecmiEvent(agentLegPayload(call, 'started', now()), now());
    if (parsed.ok) notifier.notify({ type: 'ringing', call: newCallRecord(parsed.event) });
    return { ok: true, message: 'Local test notification shown (it did not go through the team server).' };
  }

  return async () => (settings.get().connectionMode === 'team' ? shownHere() : throughTheReceiver());
}
