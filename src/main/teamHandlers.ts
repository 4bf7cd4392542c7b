import type { SecretStore } from '../core/settings/secretStore';
import type { SettingsStore } from '../core/settings/settingsStore';
import { decodeJoinCode } from '../core/team/joinCode';
import type { InvokeHandlers } from './ipc';

/**
 * Settings → Connection: joining keeps the join code encrypted and switches to team mode (the
 * settings change stops the receiver and tunnel and starts the subscriber); leaving undoes it.
 */
export function teamHandlers({
  settings,
  joinCode,
}: {
  settings: SettingsStore;
  joinCode: SecretStore;
}): Pick<InvokeHandlers, 'team:join' | 'team:leave'> {
  return {
    'team:join': async (text) => {
      const decoded = decodeJoinCode(text);
      if (!decoded.ok) return { ok: false, message: decoded.reason };
      await joinCode.set(text.trim());
      const { agent, url } = decoded.code;
      // Its teams are known once the team server lets this desktop in.
      settings.patch({ connectionMode: 'team', teamIdentity: { agent, teams: [], brokerHost: new URL(url).host } });
      return { ok: true, message: `Joining as ${agent} on ${new URL(url).host}…` };
    },
    'team:leave': () => {
      joinCode.clear();
      settings.patch({ connectionMode: 'receiver', teamIdentity: null });
      return { ok: true, message: 'Left the team: this computer receives the webhook again.' };
    },
  };
}
