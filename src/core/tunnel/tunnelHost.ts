import type { ReceiverStatus } from '../receiver/receiverStatus';
import type { Settings } from '../settings/settingsSchema';
import type { TunnelManager } from './tunnelManager';

/**
 * Runs the built-in tunnel exactly when it should run: ngrok chosen, an authtoken saved and the
 * receiver listening. A new port, domain or authtoken reopens it; anything else leaves it be.
 */
export function createTunnelHost(manager: TunnelManager, authtoken: () => string | undefined) {
  let runningFor: string | undefined;
  return {
    async sync(settings: Pick<Settings, 'tunnelMode' | 'ngrokDomain'>, receiver: ReceiverStatus): Promise<void> {
      const token = authtoken();
      const port = receiver.origin ? Number(new URL(receiver.origin).port) : undefined;
      const wanted = settings.tunnelMode === 'ngrok' && token && receiver.state === 'listening' && port;
      if (!wanted) {
        if (runningFor !== undefined) await manager.stop();
        runningFor = undefined;
        return;
      }
      const key = JSON.stringify([port, settings.ngrokDomain, token]);
      if (key === runningFor) return;
      runningFor = key;
      await manager.start({ localPort: port, authtoken: token, ...(settings.ngrokDomain && { domain: settings.ngrokDomain }) });
    },
  };
}
