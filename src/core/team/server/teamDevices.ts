import type { Logger } from '../../log/logger';
import { presenceSchema, type Presence } from '../teamMessages';
import { topics } from '../topics';
import { connectToTeamBroker } from './dynsecControl';
import { fullId } from './teamAdmin';
import { readTeam, type TeamFile } from './teamFile';
import { payloadJson } from '../payloadJson';

/** How long the retained presences are gathered. */
const gatherMs = 700;

/** The retained presences of the team's desktops, by topic; undefined when the broker cannot be reached. */
async function gatherPresences(team: TeamFile, log: Logger): Promise<Map<string, Presence> | undefined> {
  const client = await connectToTeamBroker(team, log);
  if (!client) return undefined;
  const presences = new Map<string, Presence>();
  client.on('message', (topic, payload) => {
    const parsed = presenceSchema.safeParse(payloadJson(payload));
    if (parsed.success) presences.set(topic, parsed.data);
  });
  await client.subscribeAsync(topics.allPresences, { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, gatherMs));
  await client.endAsync();
  return presences;
}

/** A desktop as team.json and its presence tell it: `online` null when the broker was not reached. */
function describeDevice(
  { id, agent, label, addedAt, username }: TeamFile['devices'][number],
  presences: Map<string, Presence> | undefined,
) {
  const presence = presences?.get(topics.presence(username));
  return {
    id,
    agent,
    label,
    addedAt,
    online: presences ? presence?.online === true : null,
    ...(presence && { lastSeen: presence.at, ...(presence.version && { version: presence.version }) }),
  };
}

/**
 * The desktops let into the team, each with what its retained presence says: online now, or when
 * it was last seen, and its app's version. Without a running broker, only what team.json knows.
 */
export async function listDevices(dir: string, log: Logger, agent?: string) {
  const team = readTeam(dir);
  const wanted = agent === undefined ? undefined : fullId(team, agent, 'agent');
  const presences = await gatherPresences(team, log);
  return team.devices
    .filter((device) => wanted === undefined || device.agent === wanted)
    .map((device) => describeDevice(device, presences));
}

/**
 * Each agent of the team with their desktops (online now, last seen, app version) and how many
 * are online: what an operator checks before a shift. `broker: 'unreachable'` when the broker
 * could not be asked (then nothing is known to be online).
 */
export async function teamStatus(dir: string, log: Logger) {
  const team = readTeam(dir);
  const presences = await gatherPresences(team, log);
  const agents = team.agents.map(({ agent, name, teams }) => {
    const desktops = team.devices
      .filter((device) => device.agent === agent)
      .map((device) => {
        const { agent: _owner, ...desktop } = describeDevice(device, presences);
        return desktop;
      });
    const seen = desktops.flatMap((desktop) => desktop.lastSeen ?? []);
    return {
      agent,
      ...(name && { name }),
      teams,
      online: desktops.filter((desktop) => desktop.online === true).length,
      ...(seen.length > 0 && { lastSeen: Math.max(...seen) }),
      desktops,
    };
  });
  return { broker: presences ? 'reachable' : 'unreachable', agents } as const;
}
