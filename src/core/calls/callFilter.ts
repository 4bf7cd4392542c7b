import type { CallEvent } from '../telecmi/eventSchema';

export interface CallFilterOptions {
  /** Agent ids: the extension (`204`) or TeleCMI's full user id (`204_2222223`). */
  agents: readonly string[];
  /** Team names: `Sales` or TeleCMI's full team id (`Sales_2222223`). */
  teams: readonly string[];
}

/**
 * Whether an agent's call is one this desktop cares about: any listed agent or any listed team.
 * With both lists empty, every call is.
 */
export function createCallFilter({ agents, teams }: CallFilterOptions): (event: CallEvent) => boolean {
  const wantedAgents = new Set(agents.map(normalise));
  const wantedTeams = new Set(teams.map(normalise));
  if (wantedAgents.size === 0 && wantedTeams.size === 0) return () => true;
  return (event) => matches(wantedAgents, event.agent) || matches(wantedTeams, event.team);
}

function matches(wanted: ReadonlySet<string>, value: string | undefined): boolean {
  if (value === undefined || wanted.size === 0) return false;
  const id = normalise(value);
  return wanted.has(id) || wanted.has(withoutAppId(id));
}

function normalise(id: string): string {
  return id.trim().toLowerCase();
}

/** TeleCMI suffixes agent and team ids with `_<app id>`. */
function withoutAppId(id: string): string {
  return id.replace(/_\d+$/, '');
}
