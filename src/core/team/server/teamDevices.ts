import type { Logger } from '../../log/logger';
import { presenceSchema, type Presence } from '../teamMessages';
import { topics } from '../topics';
import { connectToTeamBroker } from './dynsecControl';
import { fullId } from './teamAdmin';
import { readTeam } from './teamFile';

/** How long the retained presences are gathered. */
const gatherMs = 700;

/**
 * The desktops let into the team, each with what its retained presence says: online now, or when
 * it was last seen, and its app's version. Without a running broker, only what team.json knows.
 */
export async function listDevices(dir: string, log: Logger, agent?: string) {
  const team = readTeam(dir);
  const wanted = agent === undefined ? undefined : fullId(team, agent, 'agent');
  const devices = team.devices.filter((device) => wanted === undefined || device.agent === wanted);
  const presences = new Map<string, Presence>();
  const client = await connectToTeamBroker(team, log);
  if (client) {
    client.on('message', (topic, payload) => {
      const parsed = presenceSchema.safeParse(safeJson(payload.toString('utf8')));
      if (parsed.success) presences.set(topic, parsed.data);
    });
    await client.subscribeAsync(topics.allPresences, { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, gatherMs));
    await client.endAsync();
  }
  return devices.map(({ id, agent: owner, label, addedAt, username }) => {
    const presence = presences.get(topics.presence(username));
    return {
      id,
      agent: owner,
      label,
      addedAt,
      online: client ? presence?.online === true : null,
      ...(presence && { lastSeen: presence.at, ...(presence.version && { version: presence.version }) }),
    };
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
