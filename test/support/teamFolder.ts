import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceCredentials } from '../../src/core/team/desktop/enrol';
import { writeBrokerConfig } from '../../src/core/team/server/brokerFiles';
import { hashPassword, newSecret, writeDynsecFile } from '../../src/core/team/server/dynsec';
import { initTeam, type InitOptions } from '../../src/core/team/server/teamAdmin';
import { writeTeamFile, type TeamDevice, type TeamFile } from '../../src/core/team/server/teamFile';
import { freePort } from './freePort';

/**
 * A new temporary folder to make team folders in. Run as root, the broker drops to its own user,
 * which must pass through it (mkdtemp makes it 0700).
 */
export function teamParent(prefix = 'telecmi-team-'): string {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(parent, 0o711);
  return parent;
}

export interface FolderAgent {
  agent: string;
  teams?: string[];
  name?: string;
}

/**
 * A team folder on free loopback ports with agents and one enrolled desktop each, written while
 * the broker is down (as `team init` and the enrolments would leave it): for tests and benchmarks
 * that need many desktops at once without the enrolment round trip.
 */
export async function teamFolderWithDevices(agents: readonly FolderAgent[], options: Partial<InitOptions> = {}) {
  const dir = join(teamParent(), 'team');
  const ports = [await freePort(), await freePort()] as [number, number];
  const made = initTeam(dir, { publicHost: '127.0.0.1', mqttPort: ports[0], wsPort: ports[1], insecure: false, ...options });
  const devices: DeviceCredentials[] = [];
  const entries: TeamDevice[] = [];
  for (const { agent, teams = [] } of agents) {
    const id = randomBytes(8).toString('hex');
    const password = newSecret();
    const entry: TeamDevice = {
      id,
      agent,
      username: `device-${id}`,
      clientId: `telecmi-desktop-${id}`,
      password: hashPassword(password),
      label: 'test desktop',
      addedAt: Date.now(),
    };
    entries.push(entry);
    const url = `${made.tls ? 'wss' : 'ws'}://${made.publicHost}:${made.wsPort}`;
    devices.push({
      v: 1,
      url,
      deviceId: id,
      username: entry.username,
      password,
      clientId: entry.clientId,
      agent,
      teams,
      invite: `test-${id}`,
    });
  }
  const team: TeamFile = {
    ...made,
    agents: agents.map(({ agent, teams = [], name }) => ({ agent, teams, ...(name && { name }), addedAt: Date.now() })),
    devices: entries,
  };
  writeTeamFile(dir, team);
  writeDynsecFile(dir, team);
  writeBrokerConfig(dir, team, team.pluginPath);
  return { dir, ports, team, devices };
}
