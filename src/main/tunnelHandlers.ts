import type { AppStatus } from '../core/app/appStatus';
import type { ReceiverStatus } from '../core/receiver/receiverStatus';
import type { SecretStore } from '../core/settings/secretStore';
import type { SettingsStore } from '../core/settings/settingsStore';
import { checkConnection, checkTeamConnection } from '../core/tunnel/connectionDoctor';
import type { TunnelStatus } from '../core/tunnel/tunnelStatus';
import type { InvokeHandlers } from './ipc';

export interface TunnelHandlersOptions {
  settings: SettingsStore;
  /** The ngrok authtoken, write-only from the window. */
  secrets: SecretStore;
  syncTunnel: () => Promise<void>;
  receiver: () => ReceiverStatus;
  tunnel: () => TunnelStatus;
  team: () => AppStatus['team'];
  lastEventAt: () => number | null;
  onChange: () => void;
}

/** Settings → Connection: the built-in tunnel's authtoken, and the check of the whole path. */
export function tunnelHandlers(
  options: TunnelHandlersOptions,
): Pick<InvokeHandlers, 'tunnel:set-authtoken' | 'tunnel:clear-authtoken' | 'tunnel:check'> {
  const { settings, secrets, syncTunnel, onChange } = options;
  return {
    'tunnel:set-authtoken': async (authtoken) => {
      await secrets.set(authtoken);
      await syncTunnel();
      onChange();
      return { ok: true, message: 'ngrok authtoken saved.' };
    },
    'tunnel:clear-authtoken': async () => {
      secrets.clear();
      await syncTunnel();
      onChange();
      return { ok: true, message: 'ngrok authtoken removed.' };
    },
    'tunnel:check': () => {
      const { ownTunnelUrl, tunnelMode, token, connectionMode } = settings.get();
      if (connectionMode === 'team') return checkTeamConnection(options.team(), options.lastEventAt());
      return checkConnection({
        receiver: options.receiver(),
        tunnel: tunnelMode === 'own' ? { state: 'off' } : options.tunnel(),
        ownTunnelUrl,
        token,
        lastEventAt: options.lastEventAt(),
      });
    },
  };
}
