import type { HostSettings } from '../host/callHost';
import type { Settings } from '../settings/settingsSchema';

/**
 * Whose legs are this desktop's: in team mode the agent it joined as (a colleague's legs on the
 * team's topics only tell how a call ended), else the agents and teams of the settings.
 */
export function hostSettingsFor(settings: Settings): HostSettings {
  const { connectionMode, teamIdentity, agents, teams, maxCalls } = settings;
  if (connectionMode === 'team' && teamIdentity) return { agents: [teamIdentity.agent], teams: [], maxCalls };
  return { agents, teams, maxCalls };
}
